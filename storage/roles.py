"""The bot's own PostgreSQL role: it reads and writes the rows, and owns nothing.

The triggers that keep events append-only (migrations 0005 and 0011) bind everyone but the
table's owner, who may disable or drop them. So the migrations run as the owner
(``DATABASE_URL`` of ``isobot db upgrade``) and the bot connects as another role
(``ISOBOT_APP_DATABASE_URL``), granted here what the bot does and no more: rows of every table,
but no DELETE on ``event``, no TRUNCATE, no change to ``alembic_version``, no DDL.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url

#: What the bot may do to every table but the two below.
_ROWS = "SELECT, INSERT, UPDATE, DELETE"
#: Table: what the bot may do to it (an event is logged once and its receipt number written).
_NARROWER = {"event": "SELECT, INSERT, UPDATE", "alembic_version": "SELECT"}


class RoleProblem(Exception):
    """The role cannot serve: it is the owner, a superuser, or could not be made."""


def grant_app_role(engine: Engine, *, url: str) -> str:
    """Make the role ``url`` logs in as (with its password, if it has one) or set its password,
    and grant it the bot's rights on ``engine``'s database, as ``engine``'s user (the owner).
    Every call grants again, so tables added by later migrations are covered. Returns the
    role's name. ValueError when either database is not PostgreSQL, RoleProblem when the role
    cannot serve."""
    target = make_url(url)
    if engine.dialect.name != "postgresql" or target.get_backend_name() != "postgresql":
        raise ValueError("an application role needs PostgreSQL")
    role = target.username
    if not role:
        raise RoleProblem("the URL names no role to log in as")
    with engine.begin() as conn:
        _log_in(conn, role, target.password)
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
            {"schema": schema}).scalars().all()
        _run(conn, "GRANT CONNECT ON DATABASE %I TO %I",
             conn.execute(text("SELECT current_database()")).scalar_one(), role)
        _run(conn, "GRANT USAGE ON SCHEMA %I TO %I", schema, role)
        for table in tables:
            _run(conn, "REVOKE ALL ON TABLE %I.%I FROM %I", schema, table, role)
            _run(conn, f"GRANT {_NARROWER.get(table, _ROWS)} ON TABLE %I.%I TO %I",
                 schema, table, role)
        _run(conn, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I", schema, role)
    return role


def _log_in(conn: Connection, role: str, password: str | None) -> None:
    found = conn.execute(text(
        "SELECT rolsuper, pg_has_role(rolname, current_user, 'MEMBER') "
        "FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if found is not None and (found[0] or found[1]):
        # It could drop the triggers: the very thing a role of its own is for.
        raise RoleProblem(f"{role} is a superuser or the owner of the tables: name another role")
    if found is None:
        _run(conn, "CREATE ROLE %I LOGIN" + (" PASSWORD %L" if password else ""),
             role, *([password] if password else []))
    elif password:
        _run(conn, "ALTER ROLE %I LOGIN PASSWORD %L", role, password)


def _run(conn: Connection, statement: str, *values: str) -> None:
    """Run ``statement`` with its names and literals quoted by the server's own ``format``."""
    marks = ", ".join(f"CAST(:v{i} AS text)" for i in range(len(values)))
    sql = conn.execute(text(f"SELECT format('{statement}', {marks})"),
                       {f"v{i}": value for i, value in enumerate(values)}).scalar_one()
    # Straight to the driver without parameters, so a % or : in a password is only text.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()
