"""A copy of the database taken while the bot runs: SQLite's online backup API, or pg_dump.

Either way the copy is written beside its destination under a temporary name and renamed into
place only once it is whole, so a file with the requested name is always a complete backup.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class BackupError(Exception):
    """Why no backup was written; ``problem`` names the case, ``detail`` what the operator needs.

    ``bad_input`` says whether the operator asked for something impossible (a file that exists,
    a folder that does not) rather than the machine lacking something (pg_dump, the database).
    """

    BAD_INPUT = frozenset({"target_exists", "no_folder", "unsupported"})

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem, self.detail = problem, detail

    @property
    def bad_input(self) -> bool:
        return self.problem in self.BAD_INPUT


@dataclass(frozen=True)
class Backup:
    """A backup written: where, how big, and of which kind of database."""

    path: Path
    size: int
    backend: str


def backup_database(database_url: str, out: Path) -> Backup:
    """Copy the database ``database_url`` names into the new file ``out``."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise BackupError("unsupported") from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError("unsupported")
    if out.exists():
        raise BackupError("target_exists", str(out))
    if not out.parent.is_dir():
        raise BackupError("no_folder", str(out.parent))
    with _written_atomically(out) as partial:
        if backend == "sqlite":
            _backup_sqlite(url, partial)
        else:
            _backup_postgres(url, partial)
    return Backup(out, out.stat().st_size, backend)


@contextlib.contextmanager
def _written_atomically(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out``; renamed to ``out`` when the block succeeds."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    except OSError as error:
        raise BackupError("cannot_write", error.strerror or str(error)) from None
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        if out.exists():  # appeared meanwhile: an existing file is never replaced
            raise BackupError("target_exists", str(out))
        os.replace(partial, out)
    except OSError as error:
        raise BackupError("cannot_write", error.strerror or str(error)) from None
    finally:
        partial.unlink(missing_ok=True)


def _backup_sqlite(url: URL, partial: Path) -> None:
    """SQLite's online backup API, in one step.

    One ``sqlite3_backup_step(-1)`` copies every page under a single read lock, so the copy is
    the database as of one committed transaction; the bot's writers carry on meanwhile (WAL),
    and unlike a stepwise copy it cannot be restarted forever by them
    (https://sqlite.org/c3ref/backup_finish.html).
    """
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).is_file():
        raise BackupError("no_database", source_path or ":memory:")
    try:
        # mode=rw: a missing file is an error, never silently created empty.
        source = sqlite3.connect(f"file:{source_path}?mode=rw", uri=True, timeout=30)
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=-1)
            # The copy is one self-contained file: no -wal beside it to lose in a transfer.
            target.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = target.execute("PRAGMA quick_check").fetchone()
        finally:
            target.close()
            source.close()
    except sqlite3.Error as error:
        raise BackupError("unreadable", str(error)) from None
    if verdict != "ok":
        raise BackupError("unreadable", verdict)


def _backup_postgres(url: URL, partial: Path) -> None:
    """``pg_dump --format=custom``; the password goes through a private password file.

    Not on the command line and not in ``PGPASSWORD``, both of which other users of the machine
    can read (https://www.postgresql.org/docs/current/libpq-envars.html); the connection URI
    pg_dump gets holds everything else, so ``sslmode`` and the like carry over.
    """
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("no_pg_dump")
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    with _password_file(url.password) as env:
        try:
            done = subprocess.run(
                [pg_dump, "--format=custom", "--no-password", f"--file={partial}",
                 f"--dbname={libpq}"],
                env=env, capture_output=True, text=True, check=False)
        except OSError as error:
            raise BackupError("no_pg_dump", error.strerror or str(error)) from None
    if done.returncode != 0:
        raise BackupError("pg_dump_failed", _first_error(done.stderr) or f"exit {done.returncode}")


def _first_error(stderr: str) -> str:
    """pg_dump's own reason, in one line: ``pg_dump: error: connection … failed: …``."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    reason = next((line for line in lines if "error:" in line), lines[0] if lines else "")
    return reason.split("error:", 1)[-1].strip()


@contextlib.contextmanager
def _password_file(password: str | None) -> Iterator[dict[str, str]]:
    """pg_dump's environment: with a password, a ``PGPASSFILE`` only this user can read."""
    env = dict(os.environ)
    env.setdefault("PGCONNECT_TIMEOUT", "15")  # an unreachable server fails, never hangs
    if password is None:
        yield env
        return
    with tempfile.TemporaryDirectory(prefix="isobot-backup-") as folder:  # mode 0700
        passfile = Path(folder) / "pgpass"
        passfile.touch(mode=0o600)
        passfile.write_text(pgpass_line(password), encoding="utf-8")
        env["PGPASSFILE"] = str(passfile)
        yield env


def pgpass_line(password: str) -> str:
    """A ``.pgpass`` line giving ``password`` for any host, port, database and user.

    In that file ``:`` separates fields and ``\\`` escapes (libpq-pgpass.html).
    """
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    return f"*:*:*:*:{escaped}\n"
