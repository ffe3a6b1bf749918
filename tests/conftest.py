"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL runs when ``ISOBOT_TEST_POSTGRES_URL`` names a server (``make test`` starts one);
each test gets its own database cloned from a migrated template, so tests never share rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import load_catalog
from storage.db import make_engine, upgrade

POSTGRES_URL = os.environ.get("ISOBOT_TEST_POSTGRES_URL")
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "before_reform: the test is written on the sample units "
                            "of before the 2025 reform (districts, Kiên Giang, Quảng Nam)")


def written_before_reform(request: pytest.FixtureRequest) -> bool:
    """Whether the test is marked ``before_reform``: its sample units are those of before."""
    return request.node.get_closest_marker("before_reform") is not None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
        if metafunc.definition.get_closest_marker("postgres"):
            # What only a server shared by several processes shows (advisory locks).
            backends = [pytest.param("postgres", marks=pytest.mark.skipif(
                not POSTGRES_URL, reason="needs ISOBOT_TEST_POSTGRES_URL (make test)"))]
        if metafunc.definition.get_closest_marker("sqlite"):
            backends = ["sqlite"]  # what only a database file shows (a copy of it, say)
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> str | None:
    if not POSTGRES_URL:
        yield None
        return
    name = f"isobot_template_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextlib.contextmanager
def _fresh_database(backend: str, sqlite_path: Path, sqlite_template: Path,
                    postgres_template: str | None) -> Iterator[str]:
    """The URL of a fresh, migrated database, dropped afterwards."""
    if backend == "sqlite":
        shutil.copy(sqlite_template, sqlite_path)
        yield f"sqlite:///{sqlite_path}"
        return
    name = f"isobot_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(backend: str, tmp_path: Path, sqlite_template: Path, postgres_template):
    """The URL of a fresh, migrated database for this test."""
    with _fresh_database(backend, tmp_path / "isobot.sqlite3", sqlite_template,
                         postgres_template) as url:
        yield url


@pytest.fixture
def second_database_url(backend: str, tmp_path: Path, sqlite_template: Path, postgres_template):
    """Another fresh database on the same backend, for comparing two runs side by side."""
    with _fresh_database(backend, tmp_path / "second.sqlite3", sqlite_template,
                         postgres_template) as url:
        yield url


@pytest.fixture
def engine(database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar()


def at(text_: str) -> dt.datetime:
    """A moment in Vietnam's time from ``YYYY-MM-DD HH:MM``."""
    return dt.datetime.fromisoformat(text_).replace(tzinfo=VIETNAM)
