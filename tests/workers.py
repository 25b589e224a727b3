"""`phonechat serve` with its worker processes, for the serve and fault tests: start, find
the workers (and which one holds a given database connection), stop."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx

from phonechat import sandbox
from phonechat.domain.access import token_hash
from tests.servers import free_port, phonechat_command

ROOT = Path(__file__).resolve().parents[1]


class Server:
    """`phonechat serve` on a free loopback port, logs to a file beside the test."""

    def __init__(self, database_url: str, log_dir: Path, workers: int = 1,
                 **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PHONECHAT_DATABASE_URL": database_url,
               "PHONECHAT_ACCESS_LOG": "false", "PHONECHAT_LOG_LEVEL": "WARNING"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update({f"PHONECHAT_{k.upper()}": str(v) for k, v in settings.items()})
        self.log_path = log_dir / f"server-{self.port}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [*phonechat_command(), "serve", "--port", str(self.port), "--workers", str(workers)], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            cwd=ROOT)
        self.workers_wanted = workers

    def wait_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200 and \
                        len(self.worker_pids()) >= (self.workers_wanted if self.workers_wanted > 1 else 0):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not come up: {self.log()}")

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the supervisor) when --workers > 1."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid and b"spawn_main" in cmdline:
                pids.append(int(entry.name))
        return pids

    def pid_holding_socket(self, local_port: int) -> int | None:
        """Which of our processes owns the TCP socket whose local port is `local_port`
        (a database connection, found from pg_stat_activity.client_port)."""
        inodes = _socket_inodes(lambda local, _: local == local_port)
        return _owner(inodes, [*self.worker_pids(), self.proc.pid])

    def pid_serving(self, client_port: int) -> int | None:
        """Which worker holds the server side of our HTTP connection from `client_port`."""
        inodes = _socket_inodes(lambda local, remote: local == self.port and remote == client_port)
        return _owner(inodes, self.worker_pids())

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid in self.worker_pids():  # orphans, should a test have left any
            os.kill(pid, signal.SIGKILL)
        self._log.close()


class Pinned:
    """One keep-alive HTTP connection per worker process of a server, so that a test knows
    which process answers (reopened on the same worker should the server close it idle)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def _open(self) -> tuple[int | None, http.client.HTTPConnection]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("GET", "/health")
        conn.getresponse().read()
        return self.server.pid_serving(conn.sock.getsockname()[1]), conn

    def workers(self) -> list[int]:
        """Connect until every worker holds one of our connections; their pids."""
        wanted = set(self.server.worker_pids())
        for _ in range(200):
            if wanted <= set(self.conns):
                return sorted(self.conns)
            pid, conn = self._open()
            if pid is not None and pid not in self.conns:
                self.conns[pid] = conn
            else:
                conn.close()
        raise AssertionError("could not reach every worker")

    def _reopen(self, pid: int) -> None:
        self.conns.pop(pid).close()
        for _ in range(200):
            found, conn = self._open()
            if found == pid:
                self.conns[pid] = conn
                return
            conn.close()
        raise AssertionError(f"could not reach worker {pid} again")

    def get(self, pid: int, token: str, path: str) -> tuple[int, bytes]:
        return self.call(pid, "GET", path, headers={"Authorization": f"bearer {token}"})

    def status(self, pid: int, token: str, path: str = "/v1/Account/GetPermissions") -> int:
        return self.get(pid, token, path)[0]

    def call(self, pid: int, method: str, path: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            conn = self.conns[pid]
            try:
                conn.request(method, path, body=body, headers=headers or {})
                r = conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                if attempt == 2:
                    raise
                self._reopen(pid)  # closed while idle (keep-alive timeout)
        raise AssertionError("unreachable")

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


async def new_tokens(url: str, n: int, user: str = "client",
                     scopes: str = "account_information") -> list[str]:
    """n access tokens of the sandbox's demo app for a sandbox user, valid for decades
    (the seeded ones are dated from the sandbox's start, and `serve` runs on real time)."""
    conn = await asyncpg.connect(url)
    try:
        app_id = await conn.fetchval("SELECT id FROM applications WHERE api_key = $1",
                                     sandbox.DEMO_APP["client_id"])
        made = []
        for i in range(n):
            token = f"test-{user}-{i}-{os.urandom(6).hex()}"
            await conn.execute(
                "INSERT INTO access_tokens (token_hash, user_id, application_id, scopes, "
                "expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                token_hash(token), sandbox.manifest()["users"][user]["UserID"], app_id, scopes,
                datetime(2100, 1, 1), datetime(2026, 1, 1))
            made.append(token)
        return made
    finally:
        await conn.close()


def connection_refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
        return False
    except ConnectionRefusedError:
        return True


async def lock_waiters(admin: asyncpg.Connection, n: int, like: str = "%",
                       timeout: float = 30, blocked_by: int | None = None) -> list:
    """Wait until n requests' transactions wait on a row lock (the test holds it), their
    query text matching `like` (and, with `blocked_by`, waiting on that backend: not a
    request queued for a moment behind another request's lock); returns their
    pg_stat_activity rows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = await admin.fetch(
            "SELECT pid, client_port, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid() AND query ILIKE $1 "
            "AND ($2::int IS NULL OR $2::int = ANY(pg_blocking_pids(pid)))", like, blocked_by)
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {n} requests waiting on a lock")


@contextlib.contextmanager
def started_servers(tmp_path: Path):
    """A `start(url, workers=1, **settings)` that runs `phonechat serve` and waits until it
    answers; every server it started is stopped on the way out, whatever happened."""
    started: list[Server] = []

    def start(url: str, workers: int = 1, **settings: str) -> Server:
        s = Server(url, tmp_path, workers, **settings)
        started.append(s)
        s.wait_up()
        return s

    try:
        yield start
    finally:
        for s in started:
            s.stop()


def _socket_inodes(wanted: Callable[[int, int], bool]) -> set[str]:
    """The inodes of the TCP sockets whose (local port, remote port) are `wanted`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if wanted(int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)):
                inodes.add(fields[9])
    return inodes


def _owner(inodes: set[str], pids: list[int]) -> int | None:
    """The first of `pids` holding one of these sockets open."""
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return pid
        except OSError:
            continue
    return None
