"""The schema comes only from Alembic migrations, and they match the models."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import MissingDatabaseFolder, alembic_config, make_engine, upgrade


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


def test_a_sqlite_file_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path):
    url = f"sqlite:///{tmp_path}/new/folder/isobot.sqlite3"
    with pytest.raises(MissingDatabaseFolder):
        upgrade(make_engine(url))
    assert not (tmp_path / "new").exists()
