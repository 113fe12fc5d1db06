"""Two writers at once: imports are serialized, numbers stay unique and contiguous, and a
store conflict is a SyrmakError that never carries a submission key."""

from __future__ import annotations

import threading
import time
import traceback

import pytest

from syrmak.errors import SyrmakError
from syrmak.study import Study
from syrmak.survey import imports


def _rows(kind: str, n: int, tag: str) -> str:
    lines = ["uuid,kind,staff"]
    lines += [f"{tag}-{i},{kind},{i}" for i in range(n)]
    return "\n".join(lines) + "\n"


def test_two_imports_at_once_both_succeed(study, tmp_path, monkeypatch):
    files = []
    for name, kind, n in (("a.csv", "cso", 40), ("b.csv", "independent", 25)):
        path = tmp_path / name
        path.write_text(_rows(kind, n, name[0]), encoding="utf-8")
        files.append(path)
    original = imports._fresh_positions

    def slow(*args, **kwargs):
        # Widen the window between reading the stored respondents and numbering the new
        # ones, so an unserialized pair of imports reliably reads the same maximum.
        positions = original(*args, **kwargs)
        time.sleep(0.5)
        return positions

    monkeypatch.setattr(imports, "_fresh_positions", slow)
    start = threading.Barrier(2)
    results, errors = {}, []

    def run(path):
        opened = Study.open(study.folder)
        try:
            start.wait()
            results[path.name] = opened.import_responses(path)
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            opened.close()

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r.added for r in results.values()) == [25, 40]
    numbers = sorted(n for r in results.values() for n in r.numbers)
    assert numbers == list(range(1, 66))
    assert list(study.responses().index) == list(range(1, 66))
    # Each import's numbers are one run, not interleaved with the other's.
    for r in results.values():
        assert list(r.numbers) == list(range(r.numbers[0], r.numbers[0] + r.added))


def test_a_store_conflict_never_shows_a_submission_key(study, tmp_path, monkeypatch):
    secret = "uuid-of-a-respondent-0042"
    path = tmp_path / "a.csv"
    path.write_text(f"uuid,kind\n{secret},cso\n", encoding="utf-8")
    study.import_responses(path)
    # Pretend nothing is stored, so the second import inserts the same key again.
    monkeypatch.setattr(imports, "_fresh_positions", lambda keys, *a, **k: list(range(len(keys))))
    with pytest.raises(SyrmakError) as info:
        study.import_responses(path)
    shown = "".join(traceback.format_exception(info.value))
    assert secret not in shown
    assert "nothing was written" in str(info.value)
    assert study.respondent_count == 1


def test_engine_hides_statement_parameters(study):
    import sqlalchemy as sa

    with pytest.raises(sa.exc.StatementError) as info, study.engine.connect() as connection:
        connection.execute(sa.text("SELECT CAST(:v AS INTEGER) + nosuchcolumn"),
                           {"v": "parameter-value-7"})
    assert "parameter-value-7" not in str(info.value)
