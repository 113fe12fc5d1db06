"""Shared fixtures: a throw-away key folder, and a store on SQLite or PostgreSQL.

With ``SYRMAK_TEST_DATABASE_URL`` set (``.ci/run`` sets it when a server answers on
127.0.0.1:5432), every study a test creates lives in its own PostgreSQL schema,
dropped afterwards; without it, the same tests run on SQLite files.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from syrmak.store.db import normalise_url
from tests.forms import write_xlsform

PG_URL = os.environ.get("SYRMAK_TEST_DATABASE_URL")


@contextlib.contextmanager
def throwaway_keys(folder: Path):
    """For fixtures wider than one test: vault keys as plain files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYRMAK_KEY_DIR", str(folder))
        patch.setenv("SYRMAK_IDENTITY_FILE", str(folder))
        patch.delenv("SYRMAK_PASSPHRASE", raising=False)
        yield folder


@pytest.fixture(autouse=True)
def key_dir(tmp_path_factory, monkeypatch) -> Path:
    """A throw-away key folder. Studies made by tests keep their vault key as a plain file
    there (``SYRMAK_IDENTITY_FILE``): age's passphrase lock costs ~2 s of scrypt per study,
    which the tests of that mode pay on purpose (tests/store/test_vault.py)."""
    folder = tmp_path_factory.mktemp("keys")
    monkeypatch.setenv("SYRMAK_KEY_DIR", str(folder))
    monkeypatch.setenv("SYRMAK_IDENTITY_FILE", str(folder))
    monkeypatch.delenv("SYRMAK_PASSPHRASE", raising=False)
    return folder


def pytest_collection_modifyitems(config, items):
    """A test marked ``store("sqlite")`` (or ``"postgresql"``) checks something only that
    store has (SQLite's file bytes, PostgreSQL's VACUUM): its case on the other store is
    not collected, rather than collected and skipped."""
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("store")
        callspec = getattr(item, "callspec", None)
        store = callspec.params.get("db_url") if callspec is not None else None
        (drop if marker and store is not None and store not in marker.args else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def db_url(request):
    """None (SQLite in the study folder) or a URL to a fresh PostgreSQL schema.

    With a server configured, each test using a study runs once on each store.
    """
    if request.param == "sqlite":
        yield None
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(normalise_url(PG_URL))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture
def new_study(tmp_path, db_url):
    """Factory: ``new_study()`` makes an empty study (folder under tmp_path)."""
    from syrmak.study import Study

    made = []

    def make(name: str = "study", **kwargs):
        study = Study.create(tmp_path / name, db_url=db_url, **kwargs)
        made.append(study)
        return study

    yield make
    for study in made:
        study.close()


@pytest.fixture
def form_path(tmp_path):
    """The small bilingual form of tests/forms.py written to an .xlsx file."""
    return write_xlsform(tmp_path / "form.xlsx")


@pytest.fixture
def study(new_study, form_path):
    """A study with the small form loaded and no responses."""
    s = new_study()
    s.load_questionnaire(form_path)
    return s
