"""``syrmak questionnaire show``: every question's type as pyxform resolved it, groups
nested, repeat groups marked with their name (snapshots of the whole text)."""

from __future__ import annotations

from click.testing import CliRunner

from syrmak.cli import main
from tests.forms import write_xlsform
from tests.survey.test_import_types import CHOICES, SETTINGS, SURVEY

# The types form, with a group inside its repeat and a note after it.
FORM = [*SURVEY[:-1], ["begin group", "toys", "Toys", "Juguetes"],
        ["integer", "toy_count", "How many toys", "Cuántos juguetes"], ["end group"],
        ["end repeat"], ["note", "bye", "Thank you", "Gracias"]]

SHOWN = """\
Types  [types]
languages: en, es (default en)

name_given (text): Name given
where (geopoint): Where
when (time): Time
moment (datetime; form type: dateTime): Moment
score (integer; form type: range): Score
photo (media; form type: photo): Photo
code (barcode): Code
phone_line (text; form type: phone number): Phone line
ranking (rank): Ranking
    - apple: Apple
    - pear: Pear
    - plum: Plum
city (select_one; form type: select_one_from_file cities.csv): City
    (options from the file cities.csv: the codes the data holds, once imported)
== Children (child)  [repeat group 'child': one record per repeat, analysed as records]
  child_name (text): Child's name  [required; personal data -> vault]
  child_age (integer): Child's age
  child_school (select_one): At school?
      - yes: Yes
      - no: No
  == Toys (child/toys)  [in repeat group 'child']
    toy_count (integer): How many toys
bye (note): Thank you
"""


def _show(study, *more):
    out = CliRunner().invoke(main, ["questionnaire", "show", str(study.folder), *more])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_show_types_groups_and_repeats(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", FORM, CHOICES, SETTINGS))
    assert _show(study) == SHOWN


def test_show_the_codes_a_file_list_gained_from_the_data(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", FORM, CHOICES, SETTINGS))
    path = tmp_path / "r.csv"
    path.write_text("city,ranking\nmadrid,pear\nlima,\n", encoding="utf-8")
    study.import_responses(path)
    shown = _show(study, "--lang", "es")
    assert ("city (select_one; form type: select_one_from_file cities.csv): Ciudad\n"
            "    - lima: lima  (seen in the data)\n"
            "    - madrid: madrid  (seen in the data)\n"
            "== Hijos (child)  [repeat group 'child'") in shown
