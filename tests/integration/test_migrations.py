"""The schema comes only from Alembic migrations, and they match the models."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import MissingDatabaseFolder, alembic_config, make_engine, newest_revision, upgrade


def test_migrations_build_every_table_on_an_empty_database(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"unit", "member", "invite", "obligation", "event", "outbox"} <= tables
    assert "alembic_version" in tables


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrations_can_be_undone_and_redone(engine):
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "obligation" in inspect(engine).get_table_names()


def test_the_newest_migration_is_the_one_commands_take_as_up_to_date(engine):
    # A command skips Alembic when the database is at newest_revision(): were it not the
    # head, a database would stay behind a migration written under another kind of name.
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert newest_revision() == head


def test_a_database_a_migration_behind_is_migrated(engine):
    command.downgrade(alembic_config(engine), "-1")
    upgrade(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == newest_revision()


def test_a_sqlite_file_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path):
    url = f"sqlite:///{tmp_path}/new/folder/isobot.sqlite3"
    with pytest.raises(MissingDatabaseFolder):
        upgrade(make_engine(url))
    assert not (tmp_path / "new").exists()
