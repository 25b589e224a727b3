"""The benchmark: phonechat against a bare reference app, same machine, same run.

    bench/run.sh                 # the whole thing (a few minutes), writes bench/RESULTS.md
    bench/run.sh --quick         # 4 s per measurement, for trying changes
    bench/run.sh --no-profile    # skip the py-spy sampling of both servers

What it does (loopback only; it stops by itself and stops every process it started):
  1. makes the PostgreSQL database phonechat_bench (PHONECHAT_BENCH_DSN to change) with
     10,000 bookings, then again with 1,000,000 (bench/seed.sql: generate_series, seconds);
  2. starts `phonechat serve` (every feature on: token lookup, scope check, negotiation,
     access log, metrics hook when present) and bench/reference_app.py, each 1 worker,
     checks they run the same SQL and answer the same bytes, then runs wrk against each,
     interleaved, and again with 2 workers each;
  3. prints and records requests/s and p50/p99 latency, and phonechat/reference ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / ".venv" / "bin"
LUA = BENCH / "lua"
DSN = os.environ.get("PHONECHAT_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/phonechat_bench")
PER_CLIENT = 1000  # bookings per client at every size, so list pages cost the same
PERFORMERS = 1000
PER_PAGE = 50
OURS_PORT, REF_PORT = 18231, 18232
CONNECTIONS = 32

_started: list[subprocess.Popen] = []


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- prerequisites ----------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing it from the distribution (apt-get install -y wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=False,
                   stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: wrk is needed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)")
    return found


def psql(dsn: str, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", dsn, "-v", "ON_ERROR_STOP=1", "-X", "-q", *args],
                          check=True, text=True, capture_output=True, **kw)


def admin_dsn(dsn: str) -> tuple[str, str]:
    base, _, name = dsn.rpartition("/")
    return f"{base}/postgres", name.split("?")[0]


# --- the database ------------------------------------------------------------------------


def make_database(bookings: int) -> float:
    """A fresh database with `bookings` bookings; returns the seconds it took."""
    started = time.monotonic()
    admin, name = admin_dsn(DSN)
    psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "-c",
         f'CREATE DATABASE "{name}"')
    env = {**os.environ, "PHONECHAT_DATABASE_URL": DSN}
    subprocess.run([str(VENV / "phonechat"), "db", "upgrade"], check=True, env=env,
                   capture_output=True)
    psql(DSN, "-v", f"bookings={bookings}", "-v", f"per_client={PER_CLIENT}",
         "-v", f"performers={PERFORMERS}", "-f", str(BENCH / "seed.sql"))
    return time.monotonic() - started


def explain(sql: str, *params: str) -> str:
    """The plan PostgreSQL uses for a prepared statement once it goes generic."""
    out = psql(DSN, "-c", "SET plan_cache_mode = force_generic_plan", "-c",
               f"PREPARE q AS {sql}", "-c",
               f"EXPLAIN (COSTS OFF) EXECUTE q({', '.join(params)})").stdout
    return "\n".join(line for line in out.splitlines() if line.strip() and "QUERY PLAN" not in line
                     and not line.startswith("--") and not line.startswith("("))


# --- servers -----------------------------------------------------------------------------


def start(name: str, cmd: list[str], env: dict[str, str], port: int, logdir: Path) -> subprocess.Popen:
    out = open(logdir / f"{name}.log", "ab")
    p = subprocess.Popen(cmd, env=env, stdout=out, stderr=out, cwd=ROOT, start_new_session=True)
    _started.append(p)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if p.poll() is not None:
            sys.exit(f"bench: {name} exited at start (see {logdir / name}.log)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(0.5)  # every worker up (uvicorn binds before forking workers)
                return p
        except OSError:
            time.sleep(0.1)
    stop(p)
    sys.exit(f"bench: {name} did not listen on {port}")


def stop(p: subprocess.Popen) -> None:
    """SIGTERM (graceful: in-flight requests finish), then SIGKILL the group if need be."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    if p in _started:
        _started.remove(p)


def stop_all(*_: object) -> None:
    for p in list(_started):
        stop(p)


def ours(workers: int, logdir: Path) -> subprocess.Popen:
    env = {**os.environ, "PHONECHAT_DATABASE_URL": DSN, "PHONECHAT_PORT": str(OURS_PORT),
           "PHONECHAT_HOST": "127.0.0.1", "PHONECHAT_WORKERS": str(workers),
           "PHONECHAT_ACCESS_LOG": "true", "PHONECHAT_LOG_LEVEL": "INFO"}
    return start(f"phonechat-{workers}w", [str(VENV / "phonechat"), "serve"], env, OURS_PORT,
                 logdir)


def reference(workers: int, clients: int, logdir: Path) -> subprocess.Popen:
    env = {**os.environ, "BENCH_DSN": DSN, "BENCH_CLIENTS": str(clients)}
    cmd = [str(VENV / "uvicorn"), "reference_app:app", "--app-dir", str(BENCH),
           "--host", "127.0.0.1", "--port", str(REF_PORT), "--workers", str(workers),
           "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
    return start(f"reference-{workers}w", cmd, env, REF_PORT, logdir)


# The framework peers (bench/peers/): the same MadeBookingDetails as the reference, written
# as a FastAPI + pydantic and a Litestar + msgspec app; name -> (label, app, port).
PEERS = {"fastapi": ("FastAPI + pydantic", "fastapi_app:app", 18233),
         "litestar": ("Litestar + msgspec", "litestar_app:app", 18234)}


def ensure_peers() -> bool:
    """The peers' frameworks in .venv (bench/peers/requirements.txt, pinned; bench only)."""
    check = [str(VENV / "python"), "-c", "import fastapi, litestar, msgspec"]
    if subprocess.run(check, capture_output=True).returncode == 0:
        return True
    log("installing the peers' frameworks (bench/peers/requirements.txt) into .venv")
    subprocess.run([str(VENV / "pip"), "install", "-q", "-r",
                    str(BENCH / "peers" / "requirements.txt")], capture_output=True)
    return subprocess.run(check, capture_output=True).returncode == 0


def peer(name: str, clients: int, logdir: Path) -> subprocess.Popen:
    _, target, port = PEERS[name]
    env = {**os.environ, "BENCH_DSN": DSN, "BENCH_CLIENTS": str(clients)}
    cmd = [str(VENV / "uvicorn"), target, "--app-dir", str(BENCH / "peers"),
           "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
           "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
    return start(f"peer-{name}", cmd, env, port, logdir)


def get(port: int, path: str, token: str, accept: str = "application/json") -> tuple[int, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={
        "Authorization": f"bearer {token}", "Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# --- load --------------------------------------------------------------------------------


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx answers and socket errors
    used: int
    cpu_us: float = 0.0  # server CPU (all its processes) per request
    spread: float = 0.0  # how far apart the slices' requests/s were: (max - min) / min


def wrk(port: int, script: str, args: list[str], seconds: float, threads: int = 1) -> Result:
    cmd = [WRK, f"-t{threads}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
           "-s", str(LUA / script), f"http://127.0.0.1:{port}", "--", *args]
    done = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "BENCH_LUA_DIR": str(LUA)})
    out = done.stdout
    if done.returncode != 0:
        sys.exit(f"bench: wrk failed:\n{out}\n{done.stderr}")
    m = re.search(r"BENCH_RESULT (\{.*\})", out)
    if not m:
        sys.exit(f"bench: no result from wrk:\n{out}")
    d = json.loads(m.group(1))
    return Result(rps=d["requests"] / (d["duration_us"] / 1e6), p50_ms=d["p50_us"] / 1000,
                  p99_ms=d["p99_us"] / 1000, requests=d["requests"],
                  bad=d["non2xx"] + d["socket_errors"], used=d["used"])


# --- the run -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    py = subprocess.run([str(VENV / "python"), "-c",
                         "import sys, uvicorn, asyncpg, uvloop, httptools; "
                         "print(sys.version.split()[0], uvicorn.__version__, asyncpg.__version__,"
                         " uvloop.__version__, httptools.__version__)"],
                        capture_output=True, text=True).stdout.split()
    pg = psql(DSN.rsplit("/", 1)[0] + "/postgres", "-tA", "-c", "SHOW server_version").stdout.strip()
    wrk_v = subprocess.run([WRK, "-v"], capture_output=True, text=True)
    return {
        "cpus": str(os.cpu_count()), "cpu": cpu, "os": f"{platform.system()} {platform.release()}",
        "python": py[0] if py else "?", "uvicorn": py[1] if len(py) > 1 else "?",
        "asyncpg": py[2] if len(py) > 2 else "?", "uvloop": py[3] if len(py) > 3 else "?",
        "httptools": py[4] if len(py) > 4 else "?", "postgresql": pg,
        "wrk": (wrk_v.stdout + wrk_v.stderr).split("\n")[0].strip(),
    }


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def cpu_seconds(proc: subprocess.Popen) -> float:
    """CPU time (user + system) of every process of the server's session (all its workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == proc.pid:  # the session id: the server and its workers
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="each measurement (10)")
    ap.add_argument("--quick", action="store_true", help="4 s per measurement")
    ap.add_argument("--sizes", default="10000,1000000", help="bookings (10000,1000000)")
    ap.add_argument("--no-profile", action="store_true",
                    help="skip sampling both servers with py-spy during an extra detail read "
                         "(done when .venv has py-spy)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="alternations per measurement: ref, ours, ours, ref, that many times "
                         "over the same total time (2; 1 with --quick)")
    ap.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    ap.add_argument("--note", default="", help="a line for RESULTS.md's Machine section "
                    "(e.g. what else the machine ran)")
    opts = ap.parse_args()
    seconds = 4.0 if opts.quick else opts.seconds
    warm = 1.0 if opts.quick else 2.0
    # On a shared machine whose speed drifts within seconds, more and shorter alternations
    # average the drift over both servers; one ref-ours-ours-ref cancels only a steady one.
    rounds = max(1, opts.rounds or (1 if opts.quick else 2))
    global WRK
    WRK = ensure_wrk()
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(1)))
    logdir = Path(tempfile.mkdtemp(prefix="phonechat-bench-"))
    info = machine()
    log(f"machine: {info['cpus']} CPUs, {info['cpu']}; logs in {logdir}")
    rows: list[tuple] = []  # (size, what, ours Result | None, ref Result | None, note)
    notes: list[str] = []
    plans: dict[str, str] = {}
    seeded: dict[int, float] = {}
    profile_text = ""
    load_before = loadavg()
    started_at = datetime.now(timezone.utc)
    sizes = [int(s) for s in opts.sizes.split(",")]
    servers: dict[str, tuple[int, subprocess.Popen]] = {}
    cancel_start = [1]  # the next unused Pending booking (index into 5, 10, 15, ...)

    def compare(size: int, what: str, script: str, args: list[str], threads: int = 1,
                other: str = "ref") -> None:
        """The same load against the reference (or a peer) and phonechat, interleaved ref,
        ours, ours, ref (`rounds` times, in slices of equal time) so that a change of
        background load hits both alike."""
        writes = script == "cancel.lua"

        def run(name: str, duration: float) -> Result:
            port, proc = servers[name]
            a = [args[0], str(cancel_start[0]), str(threads)] if writes else args
            before = cpu_seconds(proc)
            r = wrk(port, script, a, duration, threads)
            r.cpu_us = (cpu_seconds(proc) - before) * 1e6 / max(1, r.requests)
            if writes:
                cancel_start[0] += r.used + 100
            return r

        for name in (other, "ours"):
            run(name, warm)
        parts: dict[str, list[Result]] = {other: [], "ours": []}
        for name in (other, "ours", "ours", other) * rounds:
            parts[name].append(run(name, seconds / (2 * rounds)))
        res = {name: combine(rs) for name, rs in parts.items()}
        for name in (other, "ours"):
            r = res[name]
            log(f"{size:>9,} {what:<36} {name:<4} {r.rps:8.0f} req/s  p50 {r.p50_ms:6.2f} ms  "
                f"p99 {r.p99_ms:6.2f} ms  cpu {r.cpu_us:6.1f} us/req"
                + (f"  ({r.bad} bad)" if r.bad else ""))
        rows.append((size, what, res["ours"], res[other], ""))

    try:
        for size in sizes:
            clients = max(1, size // PER_CLIENT)
            log(f"seeding {size:,} bookings ({clients:,} clients)...")
            seeded[size] = make_database(size)
            log(f"seeded in {seeded[size]:.1f} s")
            cancel_start[0] = 1
            servers["ref"] = (REF_PORT, reference(1, clients, logdir))
            servers["ours"] = (OURS_PORT, ours(1, logdir))
            # The same bytes from both, or the comparison means nothing.
            for bid in (1, 2, 3, 5, 9, size):
                tok = f"bench-{(bid - 1) % clients + 1}"
                for accept in ("application/json", "application/xml"):
                    path = f"/v1/PhoneChat/MadeBookingDetails?BookingID={bid}"
                    a, b = get(OURS_PORT, path, tok, accept), get(REF_PORT, path, tok, accept)
                    if a != b:
                        notes.append(f"{size:,} bookings, booking {bid}, {accept}: the reference's "
                                     f"answer differs from phonechat's ({a[0]} {len(a[1])} B vs "
                                     f"{b[0]} {len(b[1])} B)")
            pages = PER_CLIENT // PER_PAGE
            for page in (1, pages):
                path = f"/v1/PhoneChat/MadeBookings?PageNumber={page}&BookingsPerPage={PER_PAGE}"
                a, b = get(OURS_PORT, path, "bench-2"), get(REF_PORT, path, "bench-2")
                if a[0] != 404 and a != b:
                    notes.append(f"{size:,} bookings, MadeBookings page {page}: the reference's "
                                 f"answer differs from phonechat's ({a[0]} {len(a[1])} B vs "
                                 f"{b[0]} {len(b[1])} B)")
            detail = [str(size), str(clients)]
            compare(size, "MadeBookingDetails JSON", "details.lua", [*detail, "application/json", "1"])
            if size == max(sizes):
                compare(size, "MadeBookingDetails XML", "details.lua",
                        [*detail, "application/xml", "2"])
                if ensure_peers():
                    for name, (label, _, port) in PEERS.items():
                        servers[name] = (port, peer(name, clients, logdir))
                        for bid in (1, 2, 3, 5, 9, size):
                            tok = f"bench-{(bid - 1) % clients + 1}"
                            path = f"/v1/PhoneChat/MadeBookingDetails?BookingID={bid}"
                            a, b = get(OURS_PORT, path, tok), get(port, path, tok)
                            if a != b:
                                notes.append(f"{size:,} bookings, booking {bid}: {label}'s answer "
                                             f"differs from phonechat's ({a[0]} {len(a[1])} B vs "
                                             f"{b[0]} {len(b[1])} B)")
                        compare(size, f"MadeBookingDetails JSON, peer {label}", "details.lua",
                                [*detail, "application/json", "4"], other=name)
                        stop(servers.pop(name)[1])
                else:
                    notes.append("The peers' frameworks could not be installed: no peer lines.")
                status, _ = get(OURS_PORT, "/v1/PhoneChat/MadeBookings?PageNumber=1&BookingsPerPage="
                                f"{PER_PAGE}", "bench-1")
                for page in (1, pages):
                    what = f"MadeBookings page {page}" + (" (last)" if page == pages else "")
                    if status == 404:
                        rows.append((size, what, None, None, "n/a (endpoint not present)"))
                        log(f"{size:>9,} {what:<36} n/a (endpoint not present)")
                    else:
                        compare(size, what, "list.lua", [str(clients), str(page), str(PER_PAGE), "3"])
                if not opts.no_profile and (VENV / "py-spy").exists():
                    profile_text = "\n\n".join(
                        f"{label}: " + profile(servers[name], detail, seconds, logdir)
                        for name, label in (("ours", "phonechat"), ("ref", "reference")))
                # Writes: every request cancels its own Pending booking; no run reuses one.
                compare(size, "CancelMadeBooking", "cancel.lua", [str(clients)])
            stop(servers.pop("ours")[1])
            stop(servers.pop("ref")[1])
            if size != max(sizes):
                continue
            # Two workers each, the same load generator.
            servers["ref"] = (REF_PORT, reference(2, clients, logdir))
            servers["ours"] = (OURS_PORT, ours(2, logdir))
            compare(size, "MadeBookingDetails JSON, 2 workers", "details.lua",
                    [*detail, "application/json", "5"])
            compare(size, "CancelMadeBooking, 2 workers", "cancel.lua", [str(clients)])
            stop(servers.pop("ours")[1])
            stop(servers.pop("ref")[1])
            plans["MadeBookingDetails (bookings by primary key)"] = explain(
                REF_SQL["MADE_BOOKING"], "7", "2")
            plans["token lookup (unique token_hash)"] = explain(REF_SQL["TOKEN"], "'x'")
            plans["MadeBookings page (client's bookings, newest first)"] = explain(
                REF_SQL["PAGE_MADE"], "2", "'0001-01-01'", "50", "950")
            plans["CancelMadeBooking's hold lookup (partial unique index)"] = explain(
                REF_SQL["FIND_HOLD"], "10")
            plans["CancelMadeBooking's account lookup (partial unique index)"] = explain(
                REF_SQL["FIND_USER_ACCOUNT"], "3")
    finally:
        stop_all()
    if opts.note:
        info["note"] = opts.note
    report = render(info, rows, notes, plans, seeded, seconds, load_before, loadavg(),
                    started_at, profile_text, rounds)
    Path(opts.output).write_text(report)
    print(report)
    log(f"written {opts.output}")


def combine(parts: list[Result]) -> Result:
    """Slices of one measurement: requests/s over their total time; latency percentiles
    and CPU per request averaged (weighted by requests)."""
    n = sum(r.requests for r in parts)
    secs = sum(r.requests / r.rps for r in parts if r.rps)
    w = [r.requests / max(1, n) for r in parts]
    return Result(rps=n / secs if secs else 0.0,
                  p50_ms=sum(r.p50_ms * x for r, x in zip(parts, w)),
                  p99_ms=sum(r.p99_ms * x for r, x in zip(parts, w)),
                  requests=n, bad=sum(r.bad for r in parts), used=sum(r.used for r in parts),
                  cpu_us=sum(r.cpu_us * x for r, x in zip(parts, w)),
                  spread=max(r.rps for r in parts) / max(1e-9, min(r.rps for r in parts)) - 1)


def profile(server: tuple[int, subprocess.Popen], detail_args: list[str], seconds: float,
            logdir: Path) -> str:
    """py-spy a one-worker server while wrk drives the detail read; where its time goes."""
    spy = VENV / "py-spy"
    if not spy.exists():
        return "(py-spy is not installed in .venv: `.venv/bin/pip install py-spy`)"
    port, proc = server
    out = logdir / f"profile-{port}.txt"
    spy_p = subprocess.Popen([str(spy), "record", "--pid", str(proc.pid), "--duration",
                              str(int(seconds)), "--rate", "500", "--format", "raw",
                              "--output", str(out), "--nonblocking"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    r = wrk(port, "details.lua", [*detail_args, "application/json", "9"], seconds)
    spy_p.wait(timeout=60)
    if not out.exists():
        return "(py-spy recorded nothing: it needs ptrace permission)"
    return f"{r.rps:,.0f} requests/s while sampled.\n" + summarise_profile(out)


# Where a sample's own time is spent, by the file of its innermost frame.
CATEGORIES = (
    ("JSON/XML rendering (phonechat api/representation.py)", ("phonechat/api/representation",)),
    ("access log (phonechat logs.py, logging)", ("phonechat/logs", "logging/")),
    ("metrics (phonechat metrics.py, prometheus_client)",
     ("phonechat/metrics", "prometheus_client")),
    ("request pipeline (phonechat api/: routing, auth, scope, input, negotiation)",
     ("phonechat/api/",)),
    ("use cases, views, queries (phonechat services/, store/, domain/)",
     ("phonechat/services/", "phonechat/store/", "phonechat/domain/", "phonechat/clock")),
    ("PostgreSQL driver and pool (asyncpg)", ("asyncpg/",)),
    ("HTTP server (uvicorn, httptools)", ("uvicorn/", "httptools")),
    ("event loop (asyncio, uvloop: I/O, scheduling)", ("asyncio/", "uvloop", "runners")),
    ("the reference app's own code (reference_app.py)", ("reference_app",)),
)


def summarise_profile(path: Path) -> str:
    own: dict[str, int] = {}
    by_category: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        leaf = stack.split(";")[-1]
        own[leaf] = own.get(leaf, 0) + count
        where = next((name for name, marks in CATEGORIES if any(m in leaf for m in marks)),
                     "other (Python runtime, C extensions)")
        by_category[where] = by_category.get(where, 0) + count
    if not total:
        return "(no samples)"
    mine = sum(c for name, c in by_category.items() if name.split(" (")[0] in (
        "JSON/XML rendering", "access log", "metrics", "request pipeline",
        "use cases, views, queries"))
    lines = [f"{total} samples of the worker's busy time, by where the time is spent"
             + (f" (phonechat's own code: {100 * mine / total:.0f}%; the rest is work the "
                "reference does too)" if mine else "") + ":", ""]
    for name, c in sorted(by_category.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {100 * c / total:5.1f}%  {name}")
    lines += ["", "The 15 frames with the most own time:", ""]
    for f, c in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
        lines.append(f"  {100 * c / total:5.1f}%  {f}")
    return "\n".join(lines)


def _times(rounds: int) -> str:
    return "" if rounds == 1 else " twice over" if rounds == 2 else f", {rounds} times over"


def render(info, rows, notes, plans, seeded, seconds, load_before, load_after, started_at,
           profile_text, rounds: int = 1) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Produced by `bench/run.sh` on {started_at:%Y-%m-%d %H:%M} UTC. Each line: wrk, "
        f"{CONNECTIONS} connections on loopback, after a warm-up, {seconds:g} s against each "
        f"server, interleaved ref, ours, ours, ref{_times(rounds)} "
        f"(slices of {seconds / (2 * rounds):g} s) so that a change in the "
        "machine's other load hits both alike. `ours` is `phonechat serve` with every feature "
        "on (token check with its cache, scope check, content negotiation, JSON access log to "
        "a file, the metrics hook when present); `ref` is bench/reference_app.py (bare ASGI on "
        "asyncpg, a fixed in-memory token table, the same SQL, the same bytes). Both on uvicorn "
        "(uvloop, httptools), the same pool size. On the `peer` lines `ref` is that framework "
        "app instead (bench/peers/: the same SQL, the same token lookup and cache as phonechat, "
        "the same bytes). ratio = ours / ref requests/s; cpu = CPU "
        "time of the server's processes per request (steadier than requests/s on a busy "
        "machine: it does not count time the server waited for a core); spread = how far "
        "apart the fastest and slowest slice of a measurement were (the noise).",
        "",
        "| bookings | request | ours req/s | p50 ms | p99 ms | cpu us | ref req/s | p50 ms "
        "| p99 ms | cpu us | ratio | p99 ours/ref | spread ours/ref |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    found: dict[tuple[int, str], tuple[Result, Result]] = {}
    for size, what, o, r, note in rows:
        if o is None:
            out.append(f"| {size:,} | {what} | {note} | | | | | | | | | | |")
            continue
        found[(size, what)] = (o, r)
        bad = ""
        if o.bad or r.bad:
            bad = f" ({o.bad} / {r.bad} failed answers!)"
        out.append(
            f"| {size:,} | {what}{bad} | {o.rps:,.0f} | {o.p50_ms:.2f} | {o.p99_ms:.2f} | "
            f"{o.cpu_us:.0f} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.cpu_us:.0f} | "
            f"**{o.rps / r.rps:.2f}** | {o.p99_ms / r.p99_ms:.2f} | "
            f"{100 * o.spread:.0f}% / {100 * r.spread:.0f}% |")
    out += ["", "## The speed goal, as measured in this run", ""]
    big = max((k[0] for k in found), default=0)
    small = min((k[0] for k in found), default=0)
    # Issue 12's goals: (request, least ratio of requests/s, most ratio of CPU per request).
    for what, least, most in (("MadeBookingDetails JSON", 0.8, 1.25),
                              ("MadeBookingDetails XML", 0.8, 1.25),
                              ("MadeBookings page 1", None, 1.2),
                              (f"MadeBookings page {PER_CLIENT // PER_PAGE} (last)", None, 1.2),
                              ("CancelMadeBooking", 0.9, None)):
        if (big, what) not in found:
            continue
        o, r = found[(big, what)]
        ratio, cpu = o.rps / r.rps, o.cpu_us / max(1e-9, r.cpu_us)
        ok = (least is None or ratio >= least) and (most is None or cpu <= most)
        out.append(f"- {what}, 1 worker: {ratio:.2f} of the reference's requests/s"
                   + (f" (goal at least {least})" if least else "")
                   + f", CPU per request {cpu:.2f}x the reference's"
                   + (f" (goal at most {most}x)" if most else "")
                   + f": {'met' if ok else 'NOT met'}.")
    first = found.get((big, "MadeBookings page 1"))
    last = found.get((big, f"MadeBookings page {PER_CLIENT // PER_PAGE} (last)"))
    if first and last:
        ok = last[0].cpu_us <= first[0].cpu_us * 1.05
        out.append(f"- MadeBookings: the last page {last[0].cpu_us:.0f} us of CPU and "
                   f"{last[0].rps:,.0f} requests/s against the first page's "
                   f"{first[0].cpu_us:.0f} us and {first[0].rps:,.0f} (goal: the last costs no "
                   f"more than the first, within 5%): {'met' if ok else 'NOT met'}.")
    for name, (label, _, _) in PEERS.items():
        key = (big, f"MadeBookingDetails JSON, peer {label}")
        if key in found:
            o, r = found[key]
            out.append(f"- MadeBookingDetails JSON against {label} (the same SQL, token lookup "
                       f"and bytes): phonechat {o.rps / r.rps:.2f}x its requests/s, "
                       f"{o.cpu_us / max(1e-9, r.cpu_us):.2f}x its CPU per request.")
    key = "MadeBookingDetails JSON"
    if (small, key) in found and (big, key) in found and small != big:
        a, b = found[(small, key)][0], found[(big, key)][0]
        out.append(f"- Flat from {small:,} to {big:,} bookings: detail read p50 {a.p50_ms:.2f} -> "
                   f"{b.p50_ms:.2f} ms, {a.cpu_us:.0f} -> {b.cpu_us:.0f} us CPU per request, "
                   f"{a.rps:,.0f} -> {b.rps:,.0f} requests/s.")
    for what in ("MadeBookingDetails JSON", "CancelMadeBooking"):
        one, two = found.get((big, what)), found.get((big, f"{what}, 2 workers"))
        if one and two:
            out.append(f"- {what}: 2 workers {two[0].rps:,.0f} requests/s against 1 worker's "
                       f"{one[0].rps:,.0f} ({two[0].rps / one[0].rps:.2f}x; the reference "
                       f"{two[1].rps / one[1].rps:.2f}x). The server used "
                       f"{one[0].rps * one[0].cpu_us / 1e6:.2f} cores with 1 worker, "
                       f"{two[0].rps * two[0].cpu_us / 1e6:.2f} with 2, on a machine of "
                       f"{os.cpu_count()} cores that also runs wrk and PostgreSQL.")
    out += ["", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in info.items()]
    out += [f"- load average before / after the run: {load_before} / {load_after} "
            "(other work on the machine: the same-run ratio is the figure to trust)",
            "- seeding: " + ", ".join(f"{k:,} bookings in {v:.0f} s" for k, v in seeded.items())]
    out += ["", "The reference's SQL is byte for byte phonechat's compiled SQL"
            + (f", except: {', '.join(SQL_DIFFERS)} (phonechat changed; update "
               "bench/reference_app.py)." if SQL_DIFFERS else " (checked by the script).")]
    if notes:
        out += ["", "## Differences between phonechat's and the reference's answers", ""]
        out += [f"- {n}" for n in notes]
    else:
        out += ["", "The reference answered byte for byte the same JSON and XML as phonechat "
                "on the sampled bookings, and the same MadeBookings pages."]
    if plans:
        out += ["", f"## Query plans (generic prepared plans, {big:,} bookings)", ""]
        for k, v in plans.items():
            out += [f"{k}:", "", "```", v, "```", ""]
    if profile_text:
        out += ["", "## Where the time goes: both workers sampled with py-spy during a detail read under load", "",
                "```", profile_text, "```"]
    return "\n".join(out) + "\n"


def _ref_sql() -> tuple[dict[str, str], list[str]]:
    """The reference's SQL, and where it is not byte for byte phonechat's compiled SQL."""
    sys.path.insert(0, str(BENCH))
    os.environ.setdefault("BENCH_CLIENTS", "1")
    import reference_app as r  # noqa: E402

    from phonechat.domain.lifecycle import Action
    from phonechat.store import accounts, events, ledger, lifecycle

    pairs = {
        "MADE_BOOKING": (r.MADE_BOOKING, lifecycle.MADE_ONE),
        "LOCK": (r.LOCK, lifecycle.LOCK),
        "MARK_CANCELLED": (r.MARK_CANCELLED, lifecycle.UPDATES[Action.CANCEL_BY_CLIENT]),
        "INSERT_EVENT": (r.INSERT_EVENT, events.APPEND),
        "FIND_HOLD": (r.FIND_HOLD, ledger.FIND_HOLD),
        "FIND_USER_ACCOUNT": (r.FIND_USER_ACCOUNT, ledger.FIND_ACCOUNT_OF_USER),
        "DEBIT": (r.DEBIT, ledger.DEBIT),
        "CREDIT": (r.CREDIT, ledger.CREDIT),
        "INSERT_TRANSFER": (r.INSERT_TRANSFER, ledger.INSERT_TRANSFER),
        "INSERT_ENTRIES": (r.INSERT_ENTRIES, ledger.INSERT_ENTRIES),
        "COUNT_MADE": (r.COUNT_MADE, lifecycle.MADE_COUNT),
        "PAGE_MADE": (r.PAGE_MADE, lifecycle.MADE_PAGES["date-desc"]),
    }
    differ = [name for name, (ref, q) in pairs.items() if ref != q.compiled("postgresql")[0]]
    sql = {name: ref for name, (ref, _) in pairs.items()}
    sql["TOKEN"] = accounts.TOKEN.compiled("postgresql")[0]
    return sql, differ


REF_SQL, SQL_DIFFERS = _ref_sql()

if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        stop_all()
        sys.exit(130)
