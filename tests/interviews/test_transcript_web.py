"""The transcript editor's routes: who may edit, CSRF, the lost-codings report, the
recording played with Range requests only when the server holds the vault key, and the
jobs panel."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from syrmak.interviews.transcribe import transcribe
from syrmak.qual.coding import code_quote, codings_frame
from syrmak.qual.documents import get_document
from syrmak.store import schema
from tests.interviews.test_transcribe import Fake
from tests.web.conftest import client, post, sign_in

if not os.environ.get("CI"):
    pytest.importorskip("faster_whisper")  # decoding the recording needs PyAV

DATA = Path(__file__).parent / "data"
PIECES = ((0.0, 0.8, "Здравствуйте."), (1.0, 1.9, "Расскажите о вашей работе."),
          (2.0, 3.0, "Мы работаем онлайн."))


@pytest.fixture
def recorded(surveyed):
    from syrmak.qual.codebook import add_code
    from syrmak.workspace import people

    result = transcribe(surveyed, [DATA / "respondent.m4a"], respondent=2,
                        engine=Fake(PIECES), name="iv-2")
    add_code(surveyed, "Work")
    code_quote(surveyed, "iv-2", "вашей работе", "Work", "olga")
    code_quote(surveyed, "iv-2", "онлайн", "Work", "nina")
    for name, role in (("olga", "owner"), ("nina", "coder"), ("vera", "viewer")):
        people.add_researcher(surveyed, name, role)
    return surveyed, result


@pytest.fixture
def app(recorded):
    from syrmak.web.app import create_app

    study, _ = recorded
    return create_app(study, laptop=True, identity=study.unlock())


@pytest.fixture
def locked_app(recorded):
    from syrmak.web.app import create_app

    return create_app(recorded[0], laptop=True)


def coded(study):
    doc = get_document(study, "iv-2")
    return sorted((r.coder, doc.text[r.start:r.end]) for r in codings_frame(study).itertuples())


def audit_count(study, action):
    with study.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(schema.audit_log)
                                  .where(schema.audit_log.c.action == action)).scalar()


def test_the_editor_lists_segments_with_times_and_the_player(app, recorded):
    study, result = recorded
    page = sign_in(app, "nina").get("/transcripts/iv-2")
    assert page.status_code == 200, page.text
    assert 'data-start="1000" data-end="1900"' in page.text
    assert "Расскажите о вашей работе." in page.text
    assert f'src="/transcripts/iv-2/audio/{result.recordings[0]}"' in page.text
    assert 'contenteditable="plaintext-only"' in page.text
    assert "Esc or F4" in page.text
    listing = sign_in(app, "vera").get("/transcripts")
    assert 'href="/transcripts/iv-2"' in listing.text


def test_a_viewer_reads_and_listens_but_cannot_edit(app, recorded):
    vera = sign_in(app, "vera")
    page = vera.get("/transcripts/iv-2")
    assert page.status_code == 200 and "contenteditable" not in page.text
    assert "/audio/" in page.text
    refused = post(vera, "/transcripts/iv-2/split", {"position": "1", "at": "12"})
    assert refused.status_code == 403
    refused = post(vera, "/transcripts/iv-2/correct",
                   {"position": "1", "old": "Расскажите о вашей работе.", "new": "x"})
    assert refused.status_code == 403
    assert len(get_document(recorded[0], "iv-2").segments) == 3


def test_edits_need_the_csrf_token(app, recorded):
    nina = sign_in(app, "nina")
    response = nina.post("/transcripts/iv-2/merge", data={"position": "0"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert len(get_document(recorded[0], "iv-2").segments) == 3


def test_correct_split_merge_and_relabel_keep_codings(app, recorded):
    study, _ = recorded
    nina = sign_in(app, "nina")
    before = coded(study)
    fixed = post(nina, "/transcripts/iv-2/correct", {
        "position": "1", "old": "Расскажите о вашей работе.",
        "new": "Расскажите, пожалуйста, о вашей работе."})
    assert fixed.status_code == 200, fixed.text
    assert "Расскажите, пожалуйста, о вашей работе." in fixed.text
    assert coded(study) == before
    # the cursor in UTF-16 units within the segment: before "о вашей"
    at = len("Расскажите, пожалуйста, ")
    split = post(nina, "/transcripts/iv-2/split", {"position": "1", "at": str(at),
                                                   "at_ms": "1400"})
    assert split.status_code == 200, split.text
    doc = get_document(study, "iv-2")
    assert [(s.start_ms, s.end_ms, doc.text[s.start:s.end]) for s in doc.segments][1:3] == [
        (1000, 1400, "Расскажите, пожалуйста,"), (1400, 1900, "о вашей работе.")]
    assert coded(study) == before
    merged = post(nina, "/transcripts/iv-2/merge", {"position": "1"})
    assert merged.status_code == 200 and len(get_document(study, "iv-2").segments) == 3
    renamed = post(nina, "/transcripts/iv-2/speaker", {"old": "Speaker 1", "new": "Респондент",
                                                       "scope": "all"})
    assert renamed.status_code == 200, renamed.text
    assert get_document(study, "iv-2").text.startswith("Респондент: Здравствуйте.")
    one = post(nina, "/transcripts/iv-2/speaker", {"old": "Респондент", "new": "Интервьюер",
                                                   "scope": "one", "position": "0"})
    assert one.status_code == 200, one.text
    marked = post(nina, "/transcripts/iv-2/interviewer", {"speaker": "Интервьюер"})
    assert marked.status_code == 200 and 'data-testid="interviewer"' in marked.text
    doc = get_document(study, "iv-2")
    assert doc.text.startswith("Интервьюер: Здравствуйте.\nРеспондент: Расскажите")
    assert dict(doc.variables)["interviewer"] == "Интервьюер"
    assert coded(study) == before


def test_a_correction_deleting_coded_words_asks_first(app, recorded):
    study, _ = recorded
    nina = sign_in(app, "nina")
    values = {"position": "2", "old": "Мы работаем онлайн.", "new": "Мы работаем."}
    asked = post(nina, "/transcripts/iv-2/correct", values)
    assert asked.status_code == 200
    assert asked.headers["hx-retarget"] == "#flash"
    assert "coding &#39;Work&#39; by nina" in asked.text and "confirm-lost" in asked.text
    assert "drop_lost" in asked.text
    assert ("nina", "онлайн") in coded(study)  # nothing written yet
    confirmed = post(nina, "/transcripts/iv-2/correct", {**values, "drop_lost": "1"})
    assert confirmed.status_code == 200, confirmed.text
    assert 'data-testid="lost"' in confirmed.text and "coding &#39;Work&#39; by nina" in \
        confirmed.text
    assert coded(study) == [("olga", "вашей работе")]


def test_deleting_another_coders_coding_is_the_owners_act(app, recorded):
    study, _ = recorded
    values = {"position": "1", "old": "Расскажите о вашей работе.", "new": "Расскажите.",
              "drop_lost": "1"}
    refused = post(sign_in(app, "nina"), "/transcripts/iv-2/correct", values)
    assert refused.status_code == 403
    assert ("olga", "вашей работе") in coded(study)
    done = post(sign_in(app, "olga"), "/transcripts/iv-2/correct", values)
    assert done.status_code == 200 and coded(study) == [("nina", "онлайн")]


def test_audio_is_decrypted_in_memory_with_range_requests_and_audited(app, recorded):
    study, result = recorded
    url = f"/transcripts/iv-2/audio/{result.recordings[0]}"
    original = (DATA / "respondent.m4a").read_bytes()
    vera = sign_in(app, "vera")
    whole = vera.get(url)
    assert whole.status_code == 200 and whole.content == original
    assert whole.headers["content-type"] == "audio/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    part = vera.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == original[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(original)}"
    tail = vera.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == original[-50:]
    open_end = vera.get(url, headers={"Range": f"bytes={len(original) - 10}-"})
    assert open_end.content == original[-10:]
    past = vera.get(url, headers={"Range": f"bytes={len(original) + 5}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(original)}"
    # one decryption for the page's many range requests, in the audit trail
    assert audit_count(study, "recording-play") == 1
    sign_in(app, "nina").get(url, headers={"Range": "bytes=0-1"})
    assert audit_count(study, "recording-play") == 2
    assert "media-src 'self'" in whole.headers["content-security-policy"]


def test_audio_needs_a_session_and_the_right_recording(app, recorded):
    study, result = recorded
    url = f"/transcripts/iv-2/audio/{result.recordings[0]}"
    anonymous = client(app).get(url, follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401, 403)
    assert anonymous.content != (DATA / "respondent.m4a").read_bytes()
    other = sign_in(app, "vera").get(f"/transcripts/iv-2/audio/{result.recordings[0] + 7}")
    assert other.status_code == 400


def test_without_the_key_the_page_works_without_audio(locked_app, recorded):
    study, result = recorded
    vera = sign_in(locked_app, "vera")
    page = vera.get("/transcripts/iv-2")
    assert page.status_code == 200 and "/audio/" not in page.text
    assert "without the vault key" in page.text
    refused = vera.get(f"/transcripts/iv-2/audio/{result.recordings[0]}")
    assert refused.status_code == 400 and "--unlock" in refused.text
    assert audit_count(study, "recording-play") == 0


def test_the_jobs_panel_shows_progress_and_polls_while_running(app, recorded):
    from datetime import UTC, datetime

    study, result = recorded
    with study.engine.begin() as connection:
        connection.execute(sa.insert(schema.jobs), [
            {"kind": "transcribe", "status": "running", "options": '{"recordings": [1]}',
             "done_seconds": 30.0, "total_seconds": 120.0, "created_by": "olga",
             "created_at": datetime.now(UTC), "worker": "gpu-box"}])
    panel = sign_in(app, "vera").get("/jobs")
    assert panel.status_code == 200
    assert 'hx-trigger="every 2s"' in panel.text
    assert 'value="0.250"' in panel.text and "25%" in panel.text and "gpu-box" in panel.text
    with study.engine.begin() as connection:
        connection.execute(sa.update(schema.jobs).values(status="done", done_seconds=120.0))
    done = sign_in(app, "vera").get("/jobs")
    assert "every 2s" not in done.text and "100%" in done.text


def test_plain_documents_and_unknown_names_are_errors(app, recorded):
    from syrmak.qual.documents import add_text

    add_text(recorded[0], "notes", "Plain notes.")
    olga = sign_in(app, "olga")
    assert olga.get("/transcripts/notes").status_code == 400
    assert olga.get("/transcripts/nothing-here").status_code == 400


def test_the_audio_cache_decrypts_once_for_simultaneous_requests(monkeypatch):
    import threading
    import time

    from syrmak.web.routes import transcripts as routes

    cache, calls = routes.AudioCache(), []

    def load():
        calls.append(1)
        time.sleep(0.2)
        return b"audio", "audio/wav"

    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(("vera", "iv", 1), load)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and got == [(b"audio", "audio/wav")] * 4
    monkeypatch.setattr(routes, "AUDIO_TTL", -1.0)  # expired: decrypted again
    cache.get(("vera", "iv", 2), load)
    cache.get(("vera", "iv", 2), load)
    assert len(calls) == 3
