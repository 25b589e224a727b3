"""Running the real `phonechat` command in a subprocess, for tests that need a real server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def phonechat_command() -> list[str]:
    """The installed `phonechat` script beside this interpreter (else `python -m`)."""
    script = Path(sys.executable).parent / "phonechat"
    if script.exists():
        return [str(script)]
    found = shutil.which("phonechat")
    return [found] if found else [sys.executable, "-m", "phonechat.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    out = log.open("wb")
    return subprocess.Popen(phonechat_command() + args, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})


def wait_for_port(proc: subprocess.Popen, port: int, log: Path, within: float = 30.0) -> None:
    """Wait until the server accepts connections (it is starting, not a deadline under test)."""
    give_up = time.monotonic() + within
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server did not listen on {port}:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
