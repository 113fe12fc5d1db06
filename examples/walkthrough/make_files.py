"""Write the files of the README's "A study in five steps": a small XLSForm
(questionnaire.xlsx), made-up responses (responses.csv) and one made-up interview
(interview-07.vtt). Nothing here is real data: respondents, answers and contacts are invented.

Run:  python examples/walkthrough/make_files.py
The output is byte-for-byte reproducible (fixed zip timestamps and document properties).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
RU, EN = "label::Russian (ru)", "label::English (en)"

SURVEY = [
    ["type", "name", RU, EN, "required", "personal_data"],
    ["select_one kind", "respondent_type", "Кого вы представляете?", "Whom do you represent?",
     "yes", ""],
    ["select_one adapt", "adaptation", "Удалось ли адаптироваться к пандемии?",
     "Did you adapt your work to the pandemic?", "yes", ""],
    ["select_one effect", "effectiveness_change", "Как изменилась эффективность работы?",
     "How did the effectiveness of your work change?", "", ""],
    ["select_one difficulty", "difficulty_services", "Оказание услуг", "Providing services",
     "", ""],
    ["select_one difficulty", "difficulty_fundraising", "Сбор средств", "Fundraising", "", ""],
    ["text", "contact", "Как с вами связаться?", "How can we contact you?", "", "yes"],
]
CHOICES = [
    ["list_name", "name", RU, EN],
    ["kind", "cso", "Представитель НКО", "Representative of a CSO"],
    ["kind", "independent", "Независимый активист", "Independent activist"],
    ["adapt", "fully", "Полностью", "Fully"],
    ["adapt", "partially", "Частично", "Partially"],
    ["adapt", "not_adapted", "Не удалось", "Did not adapt"],
    ["effect", "less", "Стали менее эффективны", "Became less effective"],
    ["effect", "same", "Не изменилась", "Did not change"],
    ["effect", "more", "Стали более эффективны", "Became more effective"],
    ["difficulty", "easier", "Стало легче", "Became easier"],
    ["difficulty", "same", "Не изменилось", "Remained the same"],
    ["difficulty", "harder", "Стало труднее", "Became more difficult"],
    ["difficulty", "dk", "Затрудняюсь ответить", "Difficult to answer"],
]
SETTINGS = [["form_title", "form_id", "version", "default_language"],
            ["Пример: пять шагов", "walkthrough", "1", "Russian (ru)"]]

# Twelve invented respondents; respondent 7 is the one interviewed.
RESPONSES = [
    ("cso", "fully", "more", "same", "harder"),
    ("cso", "partially", "less", "harder", "harder"),
    ("independent", "fully", "same", "easier", "same"),
    ("cso", "fully", "more", "same", "harder"),
    ("independent", "not_adapted", "less", "harder", "dk"),
    ("cso", "fully", "same", "same", "harder"),
    ("independent", "partially", "less", "harder", "harder"),
    ("cso", "fully", "more", "easier", "same"),
    ("independent", "fully", "same", "same", "easier"),
    ("cso", "partially", "", "harder", "harder"),
    ("cso", "fully", "more", "same", "same"),
    ("independent", "fully", "same", "dk", "harder"),
]

INTERVIEW = """\
WEBVTT

1
00:00:01.000 --> 00:00:06.000
<v Интервьюер>Расскажите, как пандемия повлияла на вашу работу.

2
00:00:07.000 --> 00:00:21.000
<v Респондент 7>Мы ушли в онлайн за неделю, встречи с людьми прекратились, а звонки шли весь день.

3
00:00:22.000 --> 00:00:40.000
<v Респондент 7>К лету я почувствовала выгорание: работала без выходных, не спала, и казалось, что помощь никому не доходит. Коллеги тоже выгорали, двое ушли.

4
00:00:41.000 --> 00:00:52.000
<v Интервьюер>Что помогло?

5
00:00:53.000 --> 00:01:10.000
<v Респондент 7>Помогли встречи с психологом и то, что мы договорились отключать телефоны по воскресеньям.
"""


def _xlsx() -> bytes:
    book = Workbook()
    for title, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.active if title == "survey" else book.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(row)
    stamp = dt.datetime(2021, 10, 1)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = book.properties.lastModifiedBy = "syrmak"
    raw = io.BytesIO()
    book.save(raw)
    # Fixed zip entry times, so that the file only changes when its content does.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)),
                       source.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    (HERE / "questionnaire.xlsx").write_bytes(_xlsx())
    with (HERE / "responses.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["respondent_type", "adaptation", "effectiveness_change",
                         "difficulty_services", "difficulty_fundraising", "contact"])
        for number, row in enumerate(RESPONSES, start=1):
            # Invented contacts in the reserved example.org domain (RFC 2606).
            writer.writerow([*row, f"respondent{number:02d}@example.org"])
    (HERE / "interview-07.vtt").write_text(INTERVIEW, encoding="utf-8")


if __name__ == "__main__":
    main()
