"""The README's developer-kit walk works in order against a real `phonechat sandbox` started
as `./dev sandbox` starts it (the clock at the real time): the docs page, the Postman
collection's requests, and the Python script that books, accepts, confirms and cancels."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .servers import free_port, start, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## From the sandbox to your app"):
                 README.index("## Running it for real")]

pytestmark = pytest.mark.slow


def test_the_readme_walk_from_the_sandbox_to_a_python_script(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "sandbox.db"
    proc = start(["sandbox", "--port", str(port), "--db", str(db)], tmp_path / "log",
                 {"PHONECHAT_DATABASE_URL": f"sqlite:///{db}"})
    try:
        wait_for_port(proc, port, tmp_path / "log")
        base = f"http://127.0.0.1:{port}"
        for url in re.findall(r"http://127\.0\.0\.1:8000/[^\s`>')]+", SECTION):
            r = httpx.get(url.replace("http://127.0.0.1:8000", base))
            assert r.status_code == 200, url
        assert "Try it" in httpx.get(base + "/docs?page=MadeBookingDetails").text

        script = re.search(r"```python\n(# book\.py.*?)```", SECTION, re.S).group(1)  # type: ignore[union-attr]
        out = subprocess.run(
            [sys.executable, "-c", script.replace("http://127.0.0.1:8000", base)],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT / "clients" / "python" / "src")})
        assert out.returncode == 0, out.stderr
        promised = [line.split("# ", 1)[1] for line in script.splitlines()
                    if "print(" in line and "# " in line]
        assert out.stdout.splitlines() == promised
    finally:
        stop(proc)
