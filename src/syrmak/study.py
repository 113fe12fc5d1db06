"""``Study``: the one facade over a study folder or a database URL."""

from __future__ import annotations

import json
import os
import tomllib
import uuid
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
import tomli_w

from syrmak.errors import SyrmakError
from syrmak.store import db, schema, vault
from syrmak.survey.instrument import Questionnaire

if TYPE_CHECKING:
    import pandas as pd

    from syrmak.survey.imports import ImportResult

CONFIG_NAME = "syrmak.toml"
DB_NAME = "study.db"


def _now() -> datetime:
    return datetime.now(UTC)


def _is_url(text: str) -> bool:
    return "://" in text


def default_actor() -> str:
    return os.environ.get("SYRMAK_USER") or os.environ.get("USER") or "researcher"


class Study:
    """A study: its store (SQLite file or PostgreSQL), its folder and config, its vault."""

    def __init__(self, engine: sa.Engine, folder: Path | None, config: dict,
                 *, passphrase: str | None = None, backup: Path | None = None) -> None:
        self.engine = engine
        self.folder = folder
        self.config = config
        self._passphrase = passphrase
        #: The backup made when an older store was upgraded on open, if any.
        self.backup = backup

    # -- creating and opening -------------------------------------------------
    @classmethod
    def create(cls, folder: str | Path, *, db_url: str | None = None, title: str | None = None,
               passphrase: str | None = None) -> Study:
        """Make a new study folder (``syrmak init``): config, store, vault key.

        A failure midway removes what this call made (folders, study.db, syrmak.toml, the
        tables it added to a database URL) and nothing else, so the retry is not refused
        with "already holds a study".
        """
        folder = Path(folder)
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        had = {name: (folder / name).exists() for name in (CONFIG_NAME, DB_NAME)}
        tables_before = None
        if db_url:
            try:
                engine = db.create_engine(db_url)
                with engine.connect() as connection:
                    tables_before = set(sa.inspect(connection).get_table_names())
                engine.dispose()
            except (SyrmakError, sa.exc.SQLAlchemyError):
                pass  # _create says what is wrong with the URL or the server
        try:
            return cls._create(folder, db_url=db_url, title=title, passphrase=passphrase)
        except BaseException:
            if tables_before is not None:
                made = [t for t in reversed(schema.metadata.sorted_tables)
                        if t.name not in tables_before]
                try:
                    engine = db.create_engine(db_url)
                    with engine.begin() as connection:
                        for table in made:
                            table.drop(connection, checkfirst=True)
                        if "alembic_version" not in tables_before:
                            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
                    engine.dispose()
                except sa.exc.SQLAlchemyError:
                    pass  # the original error matters more than a failed clean-up
            made_files = [] if had[CONFIG_NAME] else [CONFIG_NAME]
            if not db_url and not had[DB_NAME]:
                made_files += [f"{DB_NAME}{s}" for s in ("", "-wal", "-shm", "-journal")]
            try:
                for name in made_files:
                    (folder / name).unlink(missing_ok=True)
                for made_folder in missing:
                    made_folder.rmdir()
            except OSError:
                pass  # a folder someone else filled meanwhile stays
            raise

    @classmethod
    def _create(cls, folder: Path, *, db_url: str | None, title: str | None,
                passphrase: str | None) -> Study:
        if (folder / CONFIG_NAME).exists():
            raise SyrmakError(f"{folder} already holds a study ({CONFIG_NAME} exists).",
                              "choose an empty folder, or open the study instead.", code="study-exists")
        config: dict = {"study": {"title": title or folder.resolve().name}}
        if db_url:
            config["store"] = {"url": db_url}
        else:
            folder.mkdir(parents=True, exist_ok=True)
        engine = db.create_engine(db_url or f"sqlite:///{folder / DB_NAME}")
        if _holds_study(engine):
            raise SyrmakError("the database already holds a study.",
                              "use an empty database (or schema), or open that study's folder.",
                              code="study-exists")
        folder.mkdir(parents=True, exist_ok=True)
        db.upgrade(engine)
        study_id = uuid.uuid4().hex
        if passphrase:
            salt = vault.new_salt()
            key = vault.derive_key(passphrase, salt)
            meta = {"vault_mode": "passphrase", "vault_salt": salt}
        else:
            key = vault.new_key()
            meta = {"vault_mode": "keyfile"}
        keeper = vault.Vault(key, study_id)
        meta.update(study_id=study_id, vault_check=keeper.check_token(),
                    created_at=_now().isoformat())
        if not passphrase:
            vault.write_key_file(study_id, key, folder)
        with engine.begin() as connection:
            connection.execute(sa.insert(schema.study_meta),
                               [{"key": k, "value": v} for k, v in meta.items()])
        (folder / CONFIG_NAME).write_bytes(tomli_w.dumps(config).encode("utf-8"))
        study = cls(engine, folder, config, passphrase=passphrase)
        study.log("init", {"store": engine.dialect.name})
        return study

    @classmethod
    def open(cls, path_or_url: str | Path, *, passphrase: str | None = None) -> Study:
        """Open a study folder, or a store by URL; an older SQLite store is backed up and upgraded."""
        text = str(path_or_url)
        folder: Path | None = None
        config: dict = {}
        sqlite_path: Path | None = None
        if _is_url(text):
            url = text
            if url.startswith("sqlite:///"):
                sqlite_path = Path(url[len("sqlite:///"):])
        else:
            folder = Path(text)
            config_file = folder / CONFIG_NAME
            if not config_file.exists():
                raise SyrmakError(f"{folder} is not a study folder (no {CONFIG_NAME}).",
                                  "create one with 'syrmak init DIR' or check the path.", code="not-a-study")
            try:
                config = tomllib.loads(config_file.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise SyrmakError(f"cannot read {CONFIG_NAME}: {exc}", "fix the TOML syntax.",
                                  code="bad-config", file=str(config_file)) from exc
            url = config.get("store", {}).get("url")
            if not url:
                sqlite_path = folder / DB_NAME
                if not sqlite_path.exists():
                    raise SyrmakError(f"the study store {sqlite_path} is missing.",
                                      "restore study.db from your backup.", code="not-a-study")
                url = f"sqlite:///{sqlite_path}"
        engine = db.create_engine(url)
        if not _holds_study(engine):
            raise SyrmakError("the database holds no syrmak study.",
                              "create one with 'syrmak init DIR --db URL'.", code="not-a-study")
        backup = db.ensure_current(engine, sqlite_path)
        return cls(engine, folder, config, passphrase=passphrase, backup=backup)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- facts ----------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as connection:
            value = connection.execute(
                sa.select(schema.study_meta.c.value).where(schema.study_meta.c.key == key)
            ).scalar()
        return default if value is None else value

    @cached_property
    def id(self) -> str:
        return self.meta("study_id")

    @property
    def title(self) -> str:
        return self.config.get("study", {}).get("title") or self.questionnaire.title

    def log(self, action: str, detail: dict | None = None, actor: str | None = None,
            connection: sa.Connection | None = None) -> None:
        """Append to the event log. Never put personal data in ``detail``."""
        row = {"at": _now(), "actor": actor or default_actor(), "action": action,
               "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)}
        if connection is not None:
            connection.execute(sa.insert(schema.events), row)
            return
        with self.engine.begin() as conn:
            conn.execute(sa.insert(schema.events), row)

    # -- the vault --------------------------------------------------------------
    @cached_property
    def vault(self) -> vault.Vault:
        if self.meta("vault_mode") == "passphrase":
            passphrase = self._passphrase or os.environ.get("SYRMAK_PASSPHRASE")
            key = vault.derive_key(passphrase or "", self.meta("vault_salt"))
        else:
            key = vault.read_key_file(self.id)
        keeper = vault.Vault(key, self.id)
        keeper.verify(self.meta("vault_check"))
        return keeper

    def contacts(self) -> pd.DataFrame:
        """The personal-data answers, decrypted; needs the vault key."""
        import pandas as pd

        keeper = self.vault
        query = (
            sa.select(schema.respondents.c.number, schema.respondents.c.submission_key,
                      schema.contacts.c.question, schema.contacts.c.nonce, schema.contacts.c.ciphertext)
            .join(schema.contacts, schema.contacts.c.respondent_id == schema.respondents.c.id)
            .order_by(schema.respondents.c.number, schema.contacts.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        records = [
            {"respondent": r.number, "question": r.question,
             "value": keeper.open(r.submission_key, r.question, r.nonce, r.ciphertext)}
            for r in rows
        ]
        frame = pd.DataFrame.from_records(records, columns=["respondent", "question", "value"])
        self.log("contacts-read", {"entries": len(records)})
        return frame

    # -- questionnaire ----------------------------------------------------------
    @property
    def questionnaire(self) -> Questionnaire:
        with self.engine.connect() as connection:
            definition = connection.execute(
                sa.select(schema.questionnaires.c.definition)
                .order_by(schema.questionnaires.c.id.desc()).limit(1)
            ).scalar()
        if definition is None:
            raise SyrmakError("the study has no questionnaire yet.",
                              "load one with 'syrmak questionnaire load DIR FORM.xlsx'.",
                              code="no-questionnaire")
        return Questionnaire.from_dict(json.loads(definition))

    def questionnaire_id(self, connection: sa.Connection) -> int | None:
        return connection.execute(sa.select(sa.func.max(schema.questionnaires.c.id))).scalar()

    def load_questionnaire(self, path: str | Path, actor: str | None = None) -> Questionnaire:
        """Read an XLSForm and store it as the study's current questionnaire."""
        import hashlib

        from syrmak.survey.xlsform import load_xlsform

        path = Path(path)
        form = load_xlsform(path)
        with self.engine.begin() as connection:
            current = self.questionnaire_id(connection)
            if current is not None and connection.execute(
                sa.select(sa.func.count()).select_from(schema.respondents)
            ).scalar():
                old = Questionnaire.from_dict(json.loads(connection.execute(
                    sa.select(schema.questionnaires.c.definition)
                    .where(schema.questionnaires.c.id == current)).scalar()))
                _check_compatible(old, form, path)
            connection.execute(sa.insert(schema.questionnaires), {
                "form_id": form.form_id, "version": form.version, "title": form.title,
                "definition": json.dumps(form.to_dict(), ensure_ascii=False),
                "source_name": path.name,
                "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "loaded_at": _now(),
            })
            self.log("questionnaire-load", {"file": path.name, "form_id": form.form_id,
                                            "version": form.version, "questions": len(form)},
                     actor, connection)
        return form

    # -- responses ------------------------------------------------------------------
    def import_responses(self, path: str | Path, format: str = "auto",
                         actor: str | None = None) -> ImportResult:
        from syrmak.survey.imports import import_file

        return import_file(self, Path(path), format=format, actor=actor)

    def responses(self, lang: str | None = None, questions: list[str] | None = None) -> pd.DataFrame:
        """Answers as a DataFrame: one row per respondent (index ``respondent``)."""
        from syrmak.survey.responses import response_frame

        return response_frame(self, lang=lang, questions=questions)

    def withdraw(self, number: int, actor: str | None = None):
        """Erase a respondent who withdrew: answers, contacts, linked documents."""
        from syrmak.survey.withdrawal import withdraw

        return withdraw(self, number, actor)

    @property
    def respondent_count(self) -> int:
        """Respondents in the study (withdrawn ones not counted)."""
        r = schema.respondents
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(r)
                                      .where(r.c.withdrawn_at.is_(None))).scalar()


def _holds_study(engine: sa.Engine) -> bool:
    """Whether the store already has a study; a server that does not answer is a clear error."""
    try:
        with engine.connect() as connection:
            return sa.inspect(connection).has_table("study_meta")
    except sa.exc.OperationalError as exc:
        raise SyrmakError(f"cannot connect to the study store: {exc.orig}",
                          "check the URL and that the database server is running.",
                          code="store-unreachable") from exc


def _check_compatible(old: Questionnaire, new: Questionnaire, path: Path) -> None:
    """A new questionnaire version must still describe the answers already stored."""
    for question in old.answered:
        if not new.has(question.name):
            raise SyrmakError(
                f"the new questionnaire drops question '{question.name}', which stored answers use.",
                "keep the question (you may mark it as a note-free hidden field) or start a new study.",
                code="incompatible-questionnaire", file=path.name,
            )
        kept = {c.name for c in new.question(question.name).choices}
        lost = [c.name for c in question.choices if c.name not in kept]
        if lost:
            raise SyrmakError(
                f"the new questionnaire drops option(s) {', '.join(lost)} of '{question.name}', "
                "which stored answers may use.",
                "keep the options; relabel them instead of removing them.",
                code="incompatible-questionnaire", file=path.name,
            )
