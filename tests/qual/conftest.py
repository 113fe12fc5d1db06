"""A study with four respondents of the small bilingual form (tests/forms.py)."""

from __future__ import annotations

import pytest

RESPONSES = """kind,sphere,staff,trust,hope,story
cso,rights eco,5,agree,agree,Нет финансирования и выгорание
independent,women,1,disagree,neutral,
cso,eco,12,neutral,agree,"Работали онлайн, сложно"
independent,rights,2,agree,disagree,Давление властей
"""


@pytest.fixture
def surveyed(study, tmp_path):
    """The ``study`` fixture plus respondents 1-4 (2 and 4 independent; 2 skipped 'story')."""
    path = tmp_path / "responses.csv"
    path.write_text(RESPONSES, encoding="utf-8")
    study.import_responses(path)
    return study


@pytest.fixture
def other_study(tmp_path, db_url):
    """Factory for further empty studies in one test (round trips); on PostgreSQL each gets
    its own schema beside the one ``db_url`` made."""
    import uuid

    import sqlalchemy as sa

    from syrmak.store.db import normalise_url
    from syrmak.study import Study
    from tests.conftest import PG_URL

    made, schemas = [], []

    def make(name: str):
        url = None
        if db_url is not None:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            with sa.create_engine(normalise_url(PG_URL)).begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            schemas.append(schema)
            sep = "&" if "?" in PG_URL else "?"
            url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
        study = Study.create(tmp_path / name, db_url=url)
        made.append(study)
        return study

    yield make
    for study in made:
        study.close()
    if schemas:
        admin = sa.create_engine(normalise_url(PG_URL))
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
