"""Write the five interview transcripts and the open survey answers from quotes.yaml.

The report prints only excerpts, so each transcript is the interview guide of the report's
Appendix 1 with the respondent's quoted answers under the question they answer, in the
report's order. Answers the report does not quote are marked as omitted. Times are
synthetic (about 14 characters a second), so the transcripts exercise syrmak's timed-turn
import; they are not the recordings' times.

Run: python examples/kz-civic-2021/interviews/make_interviews.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

HERE = Path(__file__).parent
INTERVIEWEES = (6, 13, 15, 25, 26)
INTERVIEWER = "Интервьюер"
GUIDE = {
    1: "Расскажите, пожалуйста, немного о себе. Кем Вы работаете? Как давно Вы начали "
       "заниматься вопросами гражданского активизма?",
    3: "До пандемии, с какими трудностями в работе Вы обычно сталкивались? Как Вы решали эти "
       "трудности?",
    4: "Как изменился Ваш рабочий процесс с наступлением пандемии? Ощутили ли Вы эффект "
       "ограничительных/карантинных мер на Вашей работе? Если да, то как именно эти эффекты "
       "проявлялись?",
    5: "Как сложно было Вам/Вашей организации подстроить рабочие процессы к условиям/реалиям "
       "пандемии? Что именно помогло Вам эффективно организовать работу организации/проекта?",
    6: "Скажите, как пандемия повлияла на Вас физически и психологически? Испытывали ли Вы "
       "проблемы со здоровьем, тревожность, эмоциональное выгорание, или другие последствия? "
       "Как это сказалось на Вашей работе?",
    7: "Как Вы справлялись с этими проблемами? Что именно помогло?",
    9: "Сталкивались ли Вы с ограничениями/препятствиями со стороны государства по реализации "
       "Вашей деятельности?",
}
OMITTED = "[Ответ в отчёте не приводится.]"


def stamp(seconds: int) -> str:
    return f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}]"


def transcript(number: int, quotes: list[dict]) -> str:
    speaker = f"Респондент {number}"
    clock = 5
    lines = []

    def say(who: str, text: str) -> None:
        nonlocal clock
        lines.append(f"{stamp(clock)} {who}: {text}")
        clock += max(4, len(text) // 14) + 2

    for question, asked in GUIDE.items():
        answers = [q["text"] for q in quotes if q.get("question") == question]
        if question != 1 and not answers:
            continue
        say(INTERVIEWER, asked)
        for answer in answers or [OMITTED]:
            say(speaker, answer)
    say(INTERVIEWER, "Спасибо за уделенное нам время.")
    return "\n".join(lines) + "\n"


def main() -> None:
    quotes = yaml.safe_load((HERE / "quotes.yaml").read_text(encoding="utf-8"))["quotes"]
    for number in INTERVIEWEES:
        mine = [q for q in quotes if q["respondent"] == number and q["source"] == "interview"]
        (HERE / f"respondent-{number:02d}.txt").write_text(transcript(number, mine),
                                                            encoding="utf-8")
    with (HERE / "open-answers.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        # No document names: the open answers are the survey's own (responses.csv), stored
        # by 'syrmak docs open-answers'; these are the quoted excerpts of them.
        writer.writerow(["respondent", "section", "text"])
        for q in quotes:
            if q["source"] == "survey":
                writer.writerow([q["respondent"], q["section"], q["text"]])


if __name__ == "__main__":
    main()
