"""Database access: one small interface over asyncpg (PostgreSQL) and sqlite3 (embedded).

`Query` holds a Core statement compiled once per dialect. A `Conn` runs queries with
keyword arguments and returns rows that support `row["column"]`. `Database.transaction()`
gives a Conn inside one transaction; `Database.connection()` one for plain reads.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.sql import ClauseElement

_DIALECTS = {
    "postgresql": asyncpg_dialect.dialect(),
    "sqlite": sqlite_dialect.dialect(paramstyle="qmark"),
}


class Query:
    """A Core statement, compiled lazily once per dialect to (sql, parameter slots).

    A slot is a `bindparam("name")` the caller supplies by keyword, or a constant the
    statement itself carries (`kind == "user"` compiles to a parameter with a value).
    `pg` is what the PostgreSQL connection runs: the SQL and a function from the keyword
    arguments to the positional ones, made once (most queries take only supplied names:
    one `itemgetter`, in C, rather than a loop over the slots on every call).
    """

    __slots__ = ("statement", "_compiled", "pg")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[tuple[str, bool, Any], ...]]] = {}
        self.pg: tuple[str, Callable[[dict[str, Any]], Sequence[Any]]] | None = None

    def compiled(self, dialect: str) -> tuple[str, tuple[tuple[str, bool, Any], ...]]:
        c = self._compiled.get(dialect)
        if c is None:
            comp = self.statement.compile(dialect=_DIALECTS[dialect])
            slots = []
            for name in comp.positiontup or ():
                bind = comp.binds[name]
                slots.append((name, bool(bind.required), bind.value))
            c = self._compiled[dialect] = (comp.string, tuple(slots))
        return c

    def for_pg(self) -> tuple[str, Callable[[dict[str, Any]], Sequence[Any]]]:
        if self.pg is None:
            sql, slots = self.compiled("postgresql")
            self.pg = (sql, _arguments(slots))
        return self.pg


def _arguments(slots: tuple[tuple[str, bool, Any], ...]) -> Callable[[dict[str, Any]], Sequence[Any]]:
    """The positional arguments of a statement's slots, from the keyword ones."""
    names = [name for name, supplied, _ in slots if supplied]
    if len(names) < len(slots):  # a constant among them
        return lambda params: _args(slots, params)
    if not names:
        return lambda params: ()
    if len(names) == 1:
        only = names[0]
        return lambda params: (params[only],)
    return itemgetter(*names)  # type: ignore[return-value]


Row = Any  # asyncpg.Record or sqlite3.Row: both index by column name


class Conn(Protocol):
    dialect: str

    async def fetch(self, q: Query, **params: Any) -> Sequence[Row]: ...
    async def fetchrow(self, q: Query, **params: Any) -> Row | None: ...
    async def fetchval(self, q: Query, **params: Any) -> Any: ...
    async def execute(self, q: Query, **params: Any) -> int: ...


class Database(Protocol):
    dialect: str

    def transaction(self) -> Any: ...  # async context manager -> Conn
    def connection(self) -> Any: ...  # async context manager -> Conn
    async def close(self) -> None: ...
    async def ping(self) -> None: ...


class DatabaseUnavailable(Exception):
    """The database cannot be reached now (the API answers 503)."""


def _args(slots: tuple[tuple[str, bool, Any], ...], params: dict[str, Any]) -> list[Any]:
    return [params[name] if supplied else constant for name, supplied, constant in slots]


# --- PostgreSQL ---------------------------------------------------------------------


class _PgConn:
    # fetch/fetchrow/fetchval hand back asyncpg's own awaitable rather than awaiting it in
    # a coroutine of their own: one coroutine frame fewer to create, and to pass through on
    # every resumption, for every query.
    __slots__ = ("_c",)
    dialect = "postgresql"

    def __init__(self, c: Any) -> None:
        self._c = c

    def fetch(self, q: Query, **params: Any) -> Awaitable[Sequence[Row]]:
        sql, args = q.pg or q.for_pg()
        return self._c.fetch(sql, *args(params))  # type: ignore[no-any-return]

    def fetchrow(self, q: Query, **params: Any) -> Awaitable[Row | None]:
        sql, args = q.pg or q.for_pg()
        return self._c.fetchrow(sql, *args(params))  # type: ignore[no-any-return]

    def fetchval(self, q: Query, **params: Any) -> Awaitable[Any]:
        sql, args = q.pg or q.for_pg()
        return self._c.fetchval(sql, *args(params))  # type: ignore[no-any-return]

    async def execute(self, q: Query, **params: Any) -> int:
        sql, args = q.pg or q.for_pg()
        status = await self._c.execute(sql, *args(params))
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0


WATCH_EVERY = 0.1  # seconds: how late past acquire_timeout a wait for a connection may end


class PostgresDatabase:
    """An asyncpg pool. asyncpg prepares and caches each statement per connection."""

    dialect = "postgresql"

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._waits: dict[Any, float | None] = {}  # waiting task -> deadline (None: expired)
        self._watchdog: Any = None

    @classmethod
    async def connect(cls, url: str, *, min_size: int = 2, max_size: int = 10,
                      acquire_timeout: float = 5.0) -> "PostgresDatabase":
        import asyncpg

        class _Connection(asyncpg.Connection):  # type: ignore[misc, valid-type]
            # We never change session state (no SET, no LISTEN, no temp tables), so the
            # pool's per-release reset query (RESET ALL, UNLISTEN, ...) is wasted work.
            def get_reset_query(self) -> str:
                return ""

        pool = await asyncpg.create_pool(
            _asyncpg_url(url), min_size=min_size, max_size=max_size,
            connection_class=_Connection,
        )
        db = cls(pool)
        db.acquire_timeout = acquire_timeout
        return db

    acquire_timeout = 5.0

    # connection() and transaction() are plain classes rather than @asynccontextmanager
    # generators: they run on every request, and the generator machinery cost more than
    # the work (bench/RESULTS.md).
    def connection(self) -> "_PgUse":
        return _PgUse(self, False)

    def transaction(self) -> "_PgUse":
        return _PgUse(self, True)

    async def _get(self) -> Any:
        """A pooled connection. With one idle it is handed over at once. With none idle the
        wait is bounded by acquire_timeout (then DatabaseUnavailable, a 503) by one watchdog
        timer for all waiting requests, checking every WATCH_EVERY seconds, rather than a
        timer or task per wait (asyncpg's timeout, asyncio.timeout): under load most
        requests wait for a connection, and those timers cost about 14 us each
        (bench/RESULTS.md)."""
        try:
            return await self._getting()
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailable(_describe(exc)) from exc

    def _getting(self) -> Awaitable[Any]:
        """What _get awaits (for _PgUse, which awaits it itself: a coroutine fewer)."""
        pool = self._pool
        return pool.acquire() if _has_idle(pool) else self._wait(pool)

    async def _wait(self, pool: Any) -> Any:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        waits = self._waits
        waits[task] = loop.time() + self.acquire_timeout
        if self._watchdog is None:
            self._watchdog = loop.call_later(WATCH_EVERY, self._watch)
        try:
            return await pool.acquire()
        except asyncio.CancelledError:
            if waits.get(task, 0.0) is None and task is not None:  # cancelled by _watch
                task.uncancel()
                raise asyncio.TimeoutError() from None
            raise
        finally:
            waits.pop(task, None)

    def _watch(self) -> None:
        """Cancel the waits past their deadline (marked None, so that _wait tells them from
        other cancellations); look again while any remain."""
        self._watchdog = None
        waits = self._waits
        now = asyncio.get_running_loop().time()
        for task, deadline in list(waits.items()):
            if deadline is not None and deadline <= now:
                waits[task] = None
                task.cancel()
        if waits:
            self._watchdog = asyncio.get_running_loop().call_later(WATCH_EVERY, self._watch)

    def _lost(self, c: Any, exc: BaseException) -> DatabaseUnavailable:
        # The server went away (restart, failover). This connection may be left in a
        # state asyncpg cannot continue from ("another operation is in progress"):
        # drop it; the pool's other idle connections are most likely dead too, so have
        # them reopened on their next use.
        _drop(c)
        self._pool.expire_connections()
        return DatabaseUnavailable(_describe(exc))

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[Any]:
        c = await self._get()
        try:
            yield c
        except _UNAVAILABLE as exc:
            raise self._lost(c, exc) from exc
        finally:
            await self._pool.release(c)

    async def ping(self) -> None:
        async with self._acquire() as c:
            await c.fetchval("SELECT 1")

    async def close(self) -> None:
        await self._pool.close()

    def pool_stats(self) -> dict[str, int]:
        return {"size": self._pool.get_size(), "idle": self._pool.get_idle_size(),
                "max": self._pool.get_max_size()}


def _has_idle(pool: Any) -> bool:
    """Whether acquiring will not wait: the holder asyncpg hands out first (its free list is
    last in, first out, live connections first) is connected. Pool.get_idle_size() walks
    every holder, a few us on every request; this looks at one (asyncpg 0.32's free list,
    pinned in requirements.lock; anything else takes the bounded path, which is only slower)."""
    free = getattr(getattr(pool, "_queue", None), "_queue", None)
    if free is None:
        return bool(pool.get_idle_size())
    return bool(free) and free[-1].is_connected()


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (
        OSError,  # refused, reset, unreachable
        asyncio.TimeoutError,  # no pooled connection free within acquire_timeout
        asyncpg.PostgresConnectionError,  # connection lost, cannot connect
        asyncpg.InterfaceError,  # "connection is closed" and friends
        # The protocol lost its footing when the server vanished mid-exchange ("cannot
        # switch to state 12; another operation is in progress"): seen when PostgreSQL
        # is stopped under load; the connection is dropped (see _acquire).
        asyncpg.exceptions.InternalClientError,
        # SQLSTATE class 57: admin/crash shutdown, "the database system is starting up",
        # a cancelled statement.
        asyncpg.exceptions.OperatorInterventionError,
        asyncpg.exceptions.TooManyConnectionsError,
    )


try:
    _UNAVAILABLE = _unavailable_errors()
except ImportError:  # pragma: no cover - SQLite-only installs
    _UNAVAILABLE = (OSError, asyncio.TimeoutError)


def _drop(c: Any) -> None:
    """Close a pooled connection for good (the pool opens a new one when needed)."""
    try:
        if not c.is_closed():
            c.terminate()
    except Exception:  # the pool already took it back (it noticed the loss itself)
        pass


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _Released:
    """What a _PgConn runs on once its block has ended: every query is refused (as the
    pool's proxy would refuse it), rather than run on a connection another request has."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("the database connection has been given back to the pool: "
                           "no query may run on it after its `async with` block")


_RELEASED = _Released()


class _PgUse:
    """`async with db.connection()` / `db.transaction()`: a pooled connection (in a
    transaction), given back however the block ends; a lost server becomes
    DatabaseUnavailable (and the connection is dropped, see PostgresDatabase._lost)."""

    __slots__ = ("_db", "_tx", "_c", "_xact", "_conn")

    def __init__(self, db: PostgresDatabase, tx: bool) -> None:
        self._db = db
        self._tx = tx
        self._c: Any = None
        self._xact: Any = None
        self._conn: _PgConn | None = None

    async def __aenter__(self) -> _PgConn:
        try:
            c = self._c = await self._db._getting()
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailable(_describe(exc)) from exc
        if self._tx:
            try:
                self._xact = c.transaction()
                await self._xact.start()
            except BaseException as exc:
                lost = self._db._lost(c, exc) if isinstance(exc, _UNAVAILABLE) else None
                await self._db._pool.release(c)
                if lost is not None:
                    raise lost from exc
                raise
        # Queries go to the pooled connection itself, not through the pool's proxy of it:
        # the proxy forwards every call through a Python wrapper of its own (*args,
        # **kwargs, a getattr), a few hundred ns per statement, a dozen statements per
        # change. The proxy's one guard, no use after release, is kept by _PgConn being
        # cut off from the connection when the block ends (asyncpg 0.32's `_con`, pinned
        # in requirements.lock; without one, the proxy is used as before).
        conn = self._conn = _PgConn(getattr(c, "_con", None) or c)
        return conn

    def __aexit__(self, kind: Any, exc: Any, tb: Any) -> Awaitable[None]:
        self._conn._c = _RELEASED  # type: ignore[union-attr]  # no more queries on it
        # A plain read that went well only gives its connection back: the pool's own
        # coroutine, without one of ours around it.
        if self._xact is None and exc is None:
            return self._db._pool.release(self._c)  # type: ignore[no-any-return]
        return self._exit(exc)

    async def _exit(self, exc: Any) -> None:
        c, xact = self._c, self._xact
        try:
            if xact is not None:
                if exc is None:
                    await xact.commit()
                else:
                    await xact.rollback()
        except _UNAVAILABLE as failed:
            if exc is None or not isinstance(exc, _UNAVAILABLE):
                exc = failed
        except BaseException:
            await self._db._pool.release(c)
            raise
        if isinstance(exc, _UNAVAILABLE):
            lost = self._db._lost(c, exc)
            await self._db._pool.release(c)
            raise lost from exc
        await self._db._pool.release(c)


def _asyncpg_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


# --- SQLite -------------------------------------------------------------------------

# Naive datetimes are stored as ISO text with microseconds, which sorts correctly.
sqlite3.register_adapter(datetime, lambda d: d.isoformat(" ", "microseconds"))
sqlite3.register_converter("DATETIME", lambda b: datetime.fromisoformat(b.decode()))


class _SqliteConn:
    __slots__ = ("_c",)
    dialect = "sqlite"

    def __init__(self, c: sqlite3.Connection) -> None:
        self._c = c

    async def fetch(self, q: Query, **params: Any) -> Sequence[Row]:
        sql, names = q.compiled("sqlite")
        return self._c.execute(sql, _args(names, params)).fetchall()

    async def fetchrow(self, q: Query, **params: Any) -> Row | None:
        sql, names = q.compiled("sqlite")
        return self._c.execute(sql, _args(names, params)).fetchone()

    async def fetchval(self, q: Query, **params: Any) -> Any:
        row = await self.fetchrow(q, **params)
        return None if row is None else row[0]

    async def execute(self, q: Query, **params: Any) -> int:
        sql, names = q.compiled("sqlite")
        cur = self._c.execute(sql, _args(names, params))
        if cur.description is not None:  # RETURNING: the rows must be read to count
            return len(cur.fetchall())
        return cur.rowcount


class SqliteDatabase:
    """The embedded database: one connection, used by one coroutine at a time.

    SQLite calls take microseconds, so they run directly on the event loop. An asyncio
    lock serialises use of the connection within the process; BEGIN IMMEDIATE takes
    SQLite's write lock up front, which serialises writers across processes too (so a
    check-then-write inside a transaction cannot race).
    """

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self._c = sqlite3.connect(
            path, detect_types=sqlite3.PARSE_DECLTYPES, isolation_level=None,
            check_same_thread=False, timeout=10.0,
        )
        self._c.row_factory = sqlite3.Row
        self._c.execute("PRAGMA foreign_keys = ON")
        self._c.execute("PRAGMA busy_timeout = 10000")
        if path != ":memory:":
            self._c.execute("PRAGMA journal_mode = WAL")
        self._c.execute("PRAGMA synchronous = NORMAL")
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, url: str, **_: Any) -> "SqliteDatabase":
        return cls(sqlite_path(url))

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[_SqliteConn]:
        async with self._lock:
            yield _SqliteConn(self._c)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteConn]:
        async with self._lock:
            self._c.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteConn(self._c)
            except BaseException:
                self._c.execute("ROLLBACK")
                raise
            else:
                self._c.execute("COMMIT")

    async def ping(self) -> None:
        async with self._lock:
            self._c.execute("SELECT 1")

    async def close(self) -> None:
        self._c.close()

    def pool_stats(self) -> dict[str, int]:
        return {"size": 1, "idle": 0 if self._lock.locked() else 1, "max": 1}


def sqlite_path(url: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////abs/path.db` or `sqlite://` (in memory)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    if rest in ("", "/", "/:memory:"):
        return ":memory:"
    return rest[1:] if rest.startswith("/") else rest


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres://"))


async def open_database(url: str, *, pool_min: int = 2, pool_max: int = 10,
                        acquire_timeout: float = 5.0) -> Database:
    if is_postgres(url):
        return await PostgresDatabase.connect(url, min_size=pool_min, max_size=pool_max,
                                              acquire_timeout=acquire_timeout)
    return await SqliteDatabase.connect(url)


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy/Alembic want (asyncpg driver for PostgreSQL)."""
    if is_postgres(url):
        return "postgresql+asyncpg://" + _asyncpg_url(url)[len("postgresql://"):]
    return url
