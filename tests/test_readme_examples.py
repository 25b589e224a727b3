"""Every curl example of the README works, in the README's order, against the sandbox as
its first command starts it (`./dev sandbox`: the real clock). Each block runs as written
but for the port; curl fails on any HTTP error (--fail-with-body), so an example that the
service refuses fails this test."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servers import free_port, start, stop, wait_for_port

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
# Blocks that need what a reader supplies first (an OAuth code from the browser).
NEEDS_THE_READER = ("THE_CODE",)


def _curl_blocks() -> list[tuple[int, str]]:
    """(line, text) of each ```sh block that calls the sandbox with curl."""
    blocks, text = [], README.read_text()
    for m in re.finditer(r"^```sh\n(.*?)^```", text, flags=re.S | re.M):
        body = m.group(1)
        if "curl " in body and "127.0.0.1:8000" in body and not any(
                marker in body for marker in NEEDS_THE_READER):
            blocks.append((text.count("\n", 0, m.start()) + 1, body))
    return blocks


def test_the_readme_has_curl_examples() -> None:
    assert len(_curl_blocks()) >= 6


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_every_readme_curl_example_works_in_order(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "sandbox.log"
    proc = start(["sandbox", "--db", str(tmp_path / "sandbox.db"), "--port", str(port)], log,
                 {"PHONECHAT_ACCESS_LOG": "false"})
    try:
        wait_for_port(proc, port, log)
        for line, body in _curl_blocks():
            script = body.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            script = re.sub(r"\bcurl ", "curl -sS --fail-with-body --retry 5 "
                            "--retry-connrefused --retry-delay 1 ", script)
            done = subprocess.run(["bash", "-eu", "-c", script],
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, (
                f"README.md line {line}:\n{body}\nstdout: {done.stdout}\nstderr: {done.stderr}")
    finally:
        stop(proc)
