"""A real `phonechat sandbox` for the client's tests (the service installed beside this
interpreter, as in the repository's .venv), its clock at the samples' moment, put back to
the seed before each test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from phonechat_client import PhoneChat

START = "2018-01-21T14:00:00"
TOKENS = {"client": "sandbox-client", "candidate": "sandbox-candidate",
          "manager": "sandbox-manager", "member": "sandbox-member",
          "outsider": "sandbox-outsider"}
CANDIDATE, MEMBER = 123456, 301


def _phonechat() -> list[str]:
    script = Path(sys.executable).parent / "phonechat"
    if script.exists():
        return [str(script)]
    found = shutil.which("phonechat")
    if not found:
        pytest.skip("the phonechat service is not installed beside this interpreter")
    return [found]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(tmp: Path, env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    log = (tmp / f"sandbox-{port}.log").open("wb")
    proc = subprocess.Popen(_phonechat() + ["sandbox", "--port", str(port), "--db",
                                            str(tmp / f"sandbox-{port}.db"), "--clock", START],
                            stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PHONECHAT_ACCESS_LOG": "false", **(env or {})})
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:  # waiting for it to start, not a deadline under test
        if proc.poll() is not None:
            raise AssertionError((tmp / f"sandbox-{port}.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"http://127.0.0.1:{port}", proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the sandbox did not start")


def stop_sandbox(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, proc = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    try:
        yield url
    finally:
        stop_sandbox(proc)


@pytest.fixture
def base_url(sandbox_url: str) -> str:
    """The sandbox, back to its seed with the clock at START."""
    with PhoneChat(sandbox_url) as api:
        api.reset(clock=START)
    return sandbox_url


@pytest.fixture
def client(base_url: str) -> Iterator[PhoneChat]:
    with PhoneChat(base_url, token=TOKENS["client"]) as api:
        yield api


@pytest.fixture
def candidate(base_url: str) -> Iterator[PhoneChat]:
    with PhoneChat(base_url, token=TOKENS["candidate"]) as api:
        yield api
