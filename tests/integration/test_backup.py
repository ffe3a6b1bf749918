"""``isobot backup`` and the restore drill in docs/backups.md, on SQLite and on PostgreSQL.

The SQLite backup is taken while a delivery worker sends the outbox to the Telegram sandbox:
whatever was committed before the backup started must be in the copy, and the copy must open,
migrate and serve the bot again.
"""

import asyncio
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel
from telegram import Bot

from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.delivery.deliverer import Deliverer, DeliveryClock, Pace
from jobs.delivery.messages import Message
from storage.backup import backup_database
from storage.db import make_engine, session_scope
from storage.models import Member, Outbox, Role
from storage.outbox import enqueue
from storage.units import unit_by_code, upsert_units
from tests.conftest import POSTGRES_URL, at
from tests.support import cli
from tests.support.records import log, owe, small_tree
from tests.support.telegram import TOKEN, UNLIMITED

START = at("2026-12-01 08:00")
MESSAGES = 300
BACKUP_AT = 120  # the backup starts as the 120th message goes out


def isobot(database_url: str, *args: str):
    return cli.isobot(database_url, *args, now=START)


def contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in SQLModel.metadata.sorted_tables}


def sent_rows(engine: Engine) -> dict[int, tuple]:
    """The outbox rows marked sent, with what was recorded about each."""
    with engine.connect() as conn:
        rows = conn.execute(select(Outbox.id, Outbox.sent_at, Outbox.sent_message_id,
                                   Outbox.attempts).where(Outbox.state == "sent"))
        return {row.id: tuple(row) for row in rows}


def queue_reminders(engine: Engine, sandbox: TelegramSandbox, count: int) -> None:
    """One commune, ``count`` officers on Telegram, one reminder queued for each."""
    with session_scope(engine) as session:
        upsert_units(session, rows=[("U", "UBND xã Thử", "commune", None)], now=START)
        unit_id = unit_by_code(session, code="U").id
        for chat_id in range(1, count + 1):
            sandbox.add_user(chat_id)
            member = Member(unit_id=unit_id, role=Role.OFFICER, platform="telegram",
                            platform_user_id=str(chat_id), chat_id=str(chat_id), joined_at=START)
            session.add(member)
            session.flush()
            enqueue(session, key=f"backup:{chat_id}", member=member, kind="reminder",
                    payload=Message(f"Nhắc việc số {chat_id}").to_payload(), now=START)


def restore_sqlite(backup: Path, url: str) -> None:
    """The SQLite drill with the bot stopped: set the old files aside, copy the backup in."""
    live = Path(make_url(url).database)
    for path in (live, Path(f"{live}-wal"), Path(f"{live}-shm")):
        path.unlink(missing_ok=True)
    shutil.copy(backup, live)


@pytest.fixture
async def sandbox():
    server = TelegramSandbox(token=TOKEN, global_per_second=None, private_chat_per_second=None,
                             group_chat_per_minute=None)
    await server.start()
    yield server
    await server.stop()


async def test_a_backup_taken_mid_delivery_keeps_all_that_was_committed_before_it(
        tmp_path, sqlite_template, sandbox):
    live = tmp_path / "isobot.sqlite3"
    shutil.copy(sqlite_template, live)
    url = f"sqlite:///{live}"
    engine = make_engine(url)
    queue_reminders(engine, sandbox, MESSAGES)
    copy = tmp_path / "backup.sqlite3"
    before: dict[int, tuple] = {}
    by_the_end: dict[int, tuple] = {}
    backing_up: list[asyncio.Task] = []

    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as bot:
        transport = TelegramTransport(bot)
        send = transport.send
        sends = 0

        async def send_and_back_up(chat_id: str, message: Message) -> str:
            nonlocal sends
            sends += 1
            if sends == BACKUP_AT:
                before.update(sent_rows(engine))  # committed before the backup starts
                task = asyncio.create_task(asyncio.to_thread(backup_database, url, copy))
                task.add_done_callback(lambda _: by_the_end.update(sent_rows(engine)))
                backing_up.append(task)
            return await send(chat_id, message)

        transport.send = send_and_back_up
        # The worker goes on sending (and committing) while the backup copies the file.
        sent = await Deliverer(engine, transport, clock=DeliveryClock(lambda: START),
                               pace=Pace(limits=UNLIMITED, batch_size=50)).deliver_due()
        await backing_up[0]
    live_contents = contents(engine)
    engine.dispose()

    # The backup disturbed nothing: each officer got the reminder once.
    assert sent == MESSAGES
    assert sorted(int(m["chat_id"]) for m in sandbox.all_sent) == list(range(1, MESSAGES + 1))
    assert 0 < len(before) < BACKUP_AT  # the backup began after some sends were recorded

    restore_sqlite(copy, url)
    result = isobot(url, "db", "upgrade")  # the bot starts again on the copy
    assert result.exit_code == 0, result.output
    restored = make_engine(url)
    in_copy = sent_rows(restored)
    # Everything committed before the backup started is there, exactly as it was; nothing is
    # there that was not committed by the time it ended.
    assert {k: in_copy[k] for k in before} == before
    assert set(in_copy) <= set(by_the_end)
    # The rest of the database is whole: every reminder queued, every officer, the unit.
    restored_contents = contents(restored)
    assert len(restored_contents["outbox"]) == MESSAGES
    assert {t: rows for t, rows in restored_contents.items() if t != "outbox"} == \
        {t: rows for t, rows in live_contents.items() if t != "outbox"}
    restored.dispose()


def restore(backend: str, backup: Path, tmp_path: Path) -> str:
    """Restore ``backup`` as docs/backups.md says; returns the restored database's URL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        restore_sqlite(backup, url)
        return url
    name = f"isobot_restored_{tmp_path.name}".lower()[:60]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(POSTGRES_URL).set(database=name)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq}", str(backup)], check=True)
    return url.render_as_string(hide_password=False)


def drop_restored(backend: str, url: str) -> None:
    if backend == "postgres":
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_every_row(engine, database_url, backend, tmp_path):
    with session_scope(engine) as session:
        small_tree(session)
        done = owe(session, "T-A", "quarterly_report", "2026-Q1", dt.date(2026, 4, 10))
        owe(session, "T-B", "quarterly_report", "2026-Q1", dt.date(2026, 4, 10))
        log(session, unit="T-A", obligation=done, moment=at("2026-04-08 09:30"),
            document_number="12/BC-UBND", note="Báo cáo quý I")
    out = tmp_path / "isobot.backup"

    result = isobot(database_url, "backup", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    restored_url = restore(backend, out, tmp_path)
    try:
        assert isobot(restored_url, "db", "upgrade").exit_code == 0
        restored = make_engine(restored_url)
        assert contents(restored) == contents(engine)
        restored.dispose()
    finally:
        drop_restored(backend, restored_url)


def test_an_existing_file_is_never_overwritten(database_url, tmp_path):
    out = tmp_path / "yesterday.backup"
    out.write_bytes(b"yesterday's backup")

    result = isobot(database_url, "backup", "--out", str(out))

    assert result.exit_code == 2
    assert result.output == f"{out} đã tồn tại: hãy chọn tên tệp mới.\n"
    assert out.read_bytes() == b"yesterday's backup"


def test_a_missing_folder_is_bad_input(database_url, tmp_path):
    result = isobot(database_url, "backup", "--out", str(tmp_path / "nowhere" / "x.backup"))

    assert result.exit_code == 2
    assert result.output == f"Thư mục {tmp_path / 'nowhere'} không tồn tại.\n"


def test_a_file_that_is_not_a_database_leaves_no_backup(tmp_path):
    broken = tmp_path / "isobot.sqlite3"
    broken.write_text("not a database, an operator's note")
    out = tmp_path / "backup.sqlite3"

    result = isobot(f"sqlite:///{broken}", "backup", "--out", str(out))

    assert result.exit_code == 1
    assert result.output.startswith("Không đọc được cơ sở dữ liệu: ")
    assert len(result.output.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["isobot.sqlite3"]


def test_no_database_at_the_url_is_an_environment_problem(tmp_path):
    missing = tmp_path / "data" / "isobot.sqlite3"

    result = isobot(f"sqlite:///{missing}", "backup", "--out", str(tmp_path / "b.sqlite3"))

    assert result.exit_code == 1
    assert result.output == (f"Không có cơ sở dữ liệu tại {missing} "
                             "(hãy kiểm tra DATABASE_URL).\n")
    assert not missing.parent.exists()  # a backup creates nothing, not even an empty database


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs PostgreSQL's pg_dump")
def test_a_failed_pg_dump_is_one_line_without_the_password(tmp_path):
    # Nothing listens on port 1: pg_dump fails to connect.
    url = "postgresql+psycopg://isobot:Very-Secret-Pw@127.0.0.1:1/isobot"

    result = cli.isobot(url, "backup", "--out", str(tmp_path / "b.dump"), now=START)

    assert result.exit_code == 1
    assert result.output.startswith("pg_dump thất bại: ")
    assert len(result.output.splitlines()) == 1
    assert "Very-Secret-Pw" not in result.output
    assert list(tmp_path.iterdir()) == []
