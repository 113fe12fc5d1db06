"""``Study``: the one facade over a study folder or a database URL."""

from __future__ import annotations

import json
import os
import tomllib
import uuid
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




def _is_url(text: str) -> bool:
    return "://" in text


def default_actor() -> str:
    return os.environ.get("SYRMAK_USER") or os.environ.get("USER") or "researcher"


class Study:
    """A study: its store (SQLite file or PostgreSQL), its folder and config, its vault."""

    def __init__(self, engine: sa.Engine, folder: Path | None, config: dict,
                 *, backup: Path | None = None) -> None:
        self.engine = engine
        self.folder = folder
        self.config = config
        #: The backup made when an older store was upgraded on open, if any.
        self.backup = backup
        #: The schema revision the store had before this open upgraded it, if it did.
        self.upgraded_from: str | None = None

    # -- creating and opening -------------------------------------------------
    @classmethod
    def create(cls, folder: str | Path, *, db_url: str | None = None, title: str | None = None,
               keeper: vault.Keeper | None = None) -> Study:
        """Make a new study folder (``syrmak init``): config, store, vault key pair.

        ``keeper`` says how the private key is kept (default: from ``SYRMAK_IDENTITY_FILE``
        or ``SYRMAK_PASSPHRASE``); only the public key goes into the store.

        A failure midway removes what this call made (folders, study.db, syrmak.toml, the
        tables it added to a database URL, a key file) and nothing else, so the retry is not
        refused with "already holds a study".
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
            return cls._create(folder, db_url=db_url, title=title, keeper=keeper)
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
                keeper: vault.Keeper | None) -> Study:
        if (folder / CONFIG_NAME).exists():
            raise SyrmakError(f"{folder} already holds a study ({CONFIG_NAME} exists).",
                              "choose an empty folder, or open the study instead.", code="study-exists")
        keeper = keeper or vault.Keeper.from_env()
        if keeper is None:
            raise SyrmakError("no way to keep the study's vault key was chosen.",
                              "give a passphrase (syrmak init asks for one in a terminal; scripts "
                              "may set SYRMAK_PASSPHRASE), or --keyring, or --identity-file PATH.",
                              code="vault-keeper-missing")
        if keeper.mode == "passphrase":
            vault.check_passphrase(keeper.passphrase or "", (str(title or ""), folder.name))
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
        identity = vault.Identity.generate()
        meta = {"study_id": study_id, "created_at": db.now().isoformat(),
                "vault_format": vault.FORMAT, "vault_keeper": keeper.mode,
                "vault_recipient": identity.recipient.public_key}
        written = None
        if keeper.mode == "passphrase":
            written = vault.write_private_file(
                vault.locked_identity_path(study_id),
                vault.lock_with_passphrase(identity, keeper.passphrase), folder)
        elif keeper.mode == "keyring":
            vault.keyring_store(study_id, identity)
        else:
            written = vault.identity_file_for(keeper.identity_file, study_id)
            vault.write_private_file(written, vault.identity_file_text(identity, study_id), folder)
            meta["vault_identity_hint"] = str(written.resolve())
        try:
            with engine.begin() as connection:
                connection.execute(sa.insert(schema.study_meta),
                                   [{"key": k, "value": v} for k, v in meta.items()])
            (folder / CONFIG_NAME).write_bytes(tomli_w.dumps(config).encode("utf-8"))
            study = cls(engine, folder, config)
            study.log("init", {"store": engine.dialect.name, "vault_keeper": keeper.mode})
        except BaseException:
            if written is not None:  # a key to a study that was never made
                written.unlink(missing_ok=True)
            raise
        return study

    @classmethod
    def open(cls, path_or_url: str | Path, *, migrate: bool = False) -> Study:
        """Open a study folder, or a store by URL; an older SQLite store is backed up and
        upgraded, an older PostgreSQL store only with ``migrate`` (see ``migrate``)."""
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
        before = db.current_revision(engine)
        try:
            backup = db.ensure_current(engine, sqlite_path, upgrade_shared=migrate)
        except SyrmakError:
            engine.dispose()
            raise
        study = cls(engine, folder, config, backup=backup)
        head = db.SCHEMA_HEAD if before == db.SCHEMA_HEAD else db.head_revision()
        if before != head:
            study.upgraded_from = before
            study.log("store-upgrade", {"from": before, "to": head})
        return study

    @classmethod
    def migrate(cls, path_or_url: str | Path) -> Study:
        """Open a study and upgrade its store to this syrmak's schema ('syrmak migrate DIR').

        The one way to upgrade a shared PostgreSQL store; a SQLite one is backed up first,
        as on every open. ``upgraded_from`` says from which revision (None: it was current).
        """
        return cls.open(path_or_url, migrate=True)

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
        """Append to the event log. Never put personal data in ``detail``.

        Sensitive acts (``privacy.audit.AUDITED``) also go to the hash-chained audit trail,
        in the same transaction, so an act and its audit entry commit or fail together.
        """
        from syrmak.privacy import audit

        row = {"at": db.now(), "actor": actor or default_actor(), "action": action,
               "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)}
        if connection is None:
            with self.engine.begin() as conn:
                self.log(action, detail, actor, conn)
            return
        connection.execute(sa.insert(schema.events), row)
        if action in audit.AUDITED:
            audit.append(connection, action, row["actor"], audit.target_of(action, detail),
                         detail)

    # -- the vault --------------------------------------------------------------
    @property
    def vault_is_legacy(self) -> bool:
        """Whether the contacts are still in the AES vault of syrmak 0.1 (re-sealed on unlock)."""
        return self.meta("vault_format") is None

    @cached_property
    def recipient(self) -> vault.Recipient:
        """The study's public key: enough to seal, useless to read."""
        public_key = self.meta("vault_recipient")
        if public_key is None:
            raise SyrmakError("this study's vault is in the old format and has no public key yet.",
                              "unlock it once to re-seal it: 'syrmak vault upgrade DIR'.",
                              code="vault-legacy")
        return vault.Recipient(public_key)

    def seal(self, connection: sa.Connection, values) -> int:
        """Seal ``ContactValue``s into the vault, in the caller's transaction; public key only."""
        from syrmak.store import contacts

        return contacts.seal(connection, self.recipient, self.id, values)

    def unlock(self, *, passphrase: str | None = None, identity_file: Path | None = None,
               new_keeper: vault.Keeper | None = None, actor: str | None = None) -> vault.Identity:
        """The private key, opened in memory; the one door to reading contacts.

        A study still in the old AES vault is re-sealed here, once: ``new_keeper`` says how
        to keep the new key (default: a passphrase study keeps its passphrase).
        """
        passphrase = passphrase or os.environ.get("SYRMAK_PASSPHRASE")
        if self.vault_is_legacy:
            return self._upgrade_vault(passphrase, new_keeper, actor)
        mode = self.meta("vault_keeper")
        if mode == "passphrase":
            path = vault.locked_identity_path(self.id)
            if not path.is_file():
                raise SyrmakError(
                    f"the locked key of study {self.id} is not on this machine (looked for {path}).",
                    "copy that file from the machine where the study was created (it is "
                    "useless without the passphrase), or set SYRMAK_KEY_DIR to its folder.",
                    code="vault-key-missing")
            identity = vault.unlock_with_passphrase(path.read_bytes(), passphrase or "", str(path))
        elif mode == "keyring":
            identity = vault.keyring_load(self.id)
        else:
            # An explicit path wins; else the first that exists of the environment's
            # folder or file and the place the key was written to at init.
            candidates = [Path(p) for p in (os.environ.get("SYRMAK_IDENTITY_FILE"),
                                            self.meta("vault_identity_hint")) if p]
            paths = [vault.identity_file_for(p, self.id)
                     for p in ([identity_file] if identity_file else candidates)]
            path = next((p for p in paths if p.is_file()), paths[0] if paths else Path("?"))
            identity = vault.read_identity_file(path)
        if identity.recipient != self.recipient:
            raise SyrmakError("that key does not belong to this study.",
                              "use the key (or passphrase) this study was created with.",
                              code="vault-key-wrong")
        return identity

    def _upgrade_vault(self, passphrase: str | None, new_keeper: vault.Keeper | None,
                       actor: str | None) -> vault.Identity:
        from syrmak.store import contacts

        if self.meta("vault_mode") == "passphrase":
            legacy = vault.LegacyKey.from_passphrase(self.id, passphrase or "",
                                                     self.meta("vault_salt"))
            new_keeper = new_keeper or vault.Keeper("passphrase", passphrase=passphrase)
        else:
            legacy = vault.LegacyKey.from_key_file(self.id)
        legacy.verify(self.meta("vault_check"))
        if new_keeper is None:
            raise SyrmakError(
                "this study's contacts are in the old vault, whose key file sits unprotected "
                "on this machine; they are re-sealed now, and the new key needs a keeper.",
                "choose a passphrase when asked ('syrmak vault upgrade DIR'), or set "
                "SYRMAK_PASSPHRASE, or use --keyring / --identity-file PATH.",
                code="vault-keeper-missing")
        if new_keeper.mode == "passphrase":
            vault.check_passphrase(new_keeper.passphrase or "", (self.folder.name,) if self.folder else ())
        identity = vault.Identity.generate()
        backup = None
        sqlite_path = self._sqlite_path()
        if sqlite_path is not None:
            backup = db.backup_sqlite(sqlite_path, "vault-aes")
        written: Path | None = None
        try:
            with self.engine.begin() as connection:
                resealed, damaged = contacts.reseal_legacy(connection, legacy, identity, self.id)
                if damaged:
                    raise SyrmakError(
                        f"{len(damaged)} old vault entries cannot be read, so the vault was not "
                        "re-sealed:\n" + "\n".join(damaged),
                        "restore study.db from a backup, or delete the named entries "
                        "before upgrading.", code="vault-damaged")
                meta = {"vault_format": vault.FORMAT, "vault_keeper": new_keeper.mode,
                        "vault_recipient": identity.recipient.public_key}
                if new_keeper.mode == "passphrase":
                    written = vault.write_private_file(
                        vault.locked_identity_path(self.id),
                        vault.lock_with_passphrase(identity, new_keeper.passphrase), self.folder)
                elif new_keeper.mode == "keyring":
                    vault.keyring_store(self.id, identity)
                else:
                    written = vault.write_private_file(
                        vault.identity_file_for(new_keeper.identity_file, self.id),
                        vault.identity_file_text(identity, self.id), self.folder)
                    meta["vault_identity_hint"] = str(written.resolve())
                m = schema.study_meta
                connection.execute(sa.delete(m).where(m.c.key.in_(
                    ["vault_mode", "vault_salt", "vault_check", *meta])))
                connection.execute(sa.insert(m), [{"key": k, "value": v} for k, v in meta.items()])
                self.log("vault-upgrade", {"entries": resealed, "keeper": new_keeper.mode},
                         actor, connection)
        except BaseException:
            if written is not None:
                written.unlink(missing_ok=True)
            raise
        # The old key would open the backup and any copy of the old store: destroy both.
        vault.destroy_file(legacy.key_file())
        if backup is not None:
            vault.destroy_file(backup)
        self.__dict__.pop("recipient", None)
        return identity

    def _sqlite_path(self) -> Path | None:
        url = self.engine.url
        return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None

    def contacts(self, identity: vault.Identity | None = None, *, actor: str | None = None,
                 **unlock):
        """The vault's entries, decrypted (a ``ContactList``); needs the private key."""
        from syrmak.store import contacts

        identity = identity or self.unlock(actor=actor, **unlock)
        with self.engine.connect() as connection:
            found = contacts.read(connection, identity, self.id)
        self.log("contacts-read", {"entries": len(found), "damaged": len(found.damaged)}, actor)
        return found

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
                              "load one with 'syrmak questionnaire load DIR FORM.xlsx'; an "
                              "export without a form gets a draft to review with 'syrmak "
                              "questionnaire draft DIR EXPORT'.",
                              code="no-questionnaire")
        return Questionnaire.from_dict(json.loads(definition))

    @property
    def derived_variables(self):
        """The study's derived variables (``survey/derived.py``)."""
        from syrmak.survey.derived import derived_variables

        return derived_variables(self)

    @property
    def analysis_questionnaire(self) -> Questionnaire:
        """The questionnaire with the derived variables as questions: what analyses,
        filters and interview strata read. Imports read ``questionnaire`` alone."""
        from syrmak.survey.derived import with_derived

        return with_derived(self.questionnaire, self.derived_variables)

    def questionnaire_id(self, connection: sa.Connection) -> int | None:
        return connection.execute(sa.select(sa.func.max(schema.questionnaires.c.id))).scalar()

    def load_questionnaire(self, path: str | Path, actor: str | None = None) -> Questionnaire:
        """Read an XLSForm and store it as the study's current questionnaire."""
        import hashlib

        from syrmak.survey import sealing
        from syrmak.survey.instrument import carry_over
        from syrmak.survey.xlsform import load_xlsform

        path = Path(path)
        form = load_xlsform(path)
        old = None
        carried: list[str] = []
        with db.writer(self.engine, self.id) as connection:
            current = self.questionnaire_id(connection)
            if current is not None and connection.execute(
                sa.select(sa.func.count()).select_from(schema.respondents)
            ).scalar():
                old = Questionnaire.from_dict(json.loads(connection.execute(
                    sa.select(schema.questionnaires.c.definition)
                    .where(schema.questionnaires.c.id == current)).scalar()))
                # What the data taught the study (options of a file's list, another
                # version's) stays known: no XLSForm lists it, so none can keep it.
                form, carried = carry_over(old, form)
                _check_compatible(old, form, path)
            connection.execute(sa.insert(schema.questionnaires), {
                "form_id": form.form_id, "version": form.version, "title": form.title,
                "definition": json.dumps(form.to_dict(), ensure_ascii=False),
                "source_name": path.name,
                "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "loaded_at": db.now(),
            })
            self.log("questionnaire-load", {"file": path.name, "form_id": form.form_id,
                                            "version": form.version, "questions": len(form),
                                            **({"kept_from_data": carried} if carried else {})},
                     actor, connection)
            # Answers stored while a question was ordinary must not stay plain once it is not.
            sealed = sealing.seal_stored(self, connection, sealing.newly_personal(old, form),
                                         actor)
        sealing.finish(self, sealed)
        return form

    # -- responses ------------------------------------------------------------------
    def import_responses(self, path: str | Path, format: str = "auto",
                         actor: str | None = None) -> ImportResult:
        from syrmak.survey.imports import import_file

        return import_file(self, Path(path), format=format, actor=actor)

    def responses(self, lang: str | None = None, questions: list[str] | None = None,
                  repeat: str | None = None) -> pd.DataFrame:
        """Answers as a DataFrame: one row per respondent (index ``respondent``), or, given
        a repeat group, one row per record of it (index ``record``)."""
        from syrmak.survey.responses import response_frame

        return response_frame(self, lang=lang, questions=questions, repeat=repeat)

    def withdraw(self, number: int, actor: str | None = None):
        """Erase a respondent who withdrew: answers, contacts, linked documents."""
        from syrmak.privacy.withdrawal import withdraw

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
