"""Alembic environment: SQLite through the stdlib driver, PostgreSQL through asyncpg."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import create_engine, pool

from phonechat.store.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif url.startswith("postgresql+asyncpg"):
    asyncio.run(_run_async())
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
