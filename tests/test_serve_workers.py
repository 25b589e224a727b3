"""`phonechat serve --workers N`: N processes answer on one port, and a stop is graceful
(a request in flight when the server is told to stop still gets its answer)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PG_URL, bearer

pytestmark = [pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")]

PHONECHAT = shutil.which("phonechat", path=str(Path(sys.executable).parent)) or "phonechat"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(pid: int) -> list[int]:
    """The worker processes the supervisor `pid` spawned (not multiprocessing's helpers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _wait_listening(port: int, proc: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited at start"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not listen")


async def test_two_workers_share_one_port_and_a_stop_lets_the_request_in_flight_finish(
        db_url: str, tmp_path: Path) -> None:
    import asyncpg

    port = _free_port()
    env = {**os.environ, "PHONECHAT_DATABASE_URL": db_url, "PHONECHAT_PORT": str(port),
           "PHONECHAT_WORKERS": "2", "PHONECHAT_ACCESS_LOG": "true"}
    log = tmp_path / "serve.log"
    proc = subprocess.Popen([PHONECHAT, "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))
    lock = None
    try:
        _wait_listening(port, proc)
        deadline = time.monotonic() + 10
        while len(_workers(proc.pid)) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(_workers(proc.pid)) == 2  # two worker processes under the supervisor
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as c:
            answers = await asyncio.gather(*(
                c.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=bearer("client"))
                for _ in range(20)))
        assert {r.status_code for r in answers} == {200}

        # Hold booking 2's row lock elsewhere, so that a cancel of it waits in the database.
        lock = await asyncpg.connect(db_url)
        await lock.execute("BEGIN")
        await lock.fetch("SELECT id FROM bookings WHERE id = 2 FOR UPDATE")
        result: dict[str, object] = {}

        def cancel() -> None:
            try:
                result["r"] = httpx.post(f"{base}/v1/PhoneChat/CancelMadeBooking",
                                         headers=bearer("client"), timeout=20,
                                         json={"BookingID": 2, "Reason": "Stopping"})
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                result["r"] = exc

        in_flight = threading.Thread(target=cancel)
        in_flight.start()
        await asyncio.sleep(1.0)  # the request is now waiting on the lock
        proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(1.0)
        assert proc.poll() is None  # still draining: the request has not been answered
        await lock.execute("ROLLBACK")  # let the cancel go on
        in_flight.join(20)
        answer = result["r"]
        assert isinstance(answer, httpx.Response), answer
        assert answer.status_code == 200, answer.text
        assert answer.json()["Status"] == "Cancelled"
        assert proc.wait(timeout=20) == 0  # then it stopped, by itself and cleanly
        # Every answered request is in the access log, the batched lines included.
        access = [line for line in log.read_text().splitlines() if '"phonechat.access"' in line]
        assert len(access) == 21
    finally:
        if lock is not None:
            await lock.close()
        if proc.poll() is None:  # the test failed midway: stop the workers too
            workers = _workers(proc.pid)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                for pid in workers:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.kill()
                proc.wait()
