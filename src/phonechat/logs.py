"""Structured logs: one JSON object per line on stderr."""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import sys
import time
from datetime import datetime, timezone
from typing import Any

import orjson


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure(level: str = "INFO", access_log: bool = True) -> None:
    # Our JSON lines never show the caller's file/line, thread or process name, so the
    # logging module need not look them up for every record (the documented switches,
    # "Optimization" in the logging HOWTO); the access log writes one record per request.
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("phonechat.access").disabled = not access_log
    global _batch
    flush_access_log()
    _batch = (_Batch(sys.stderr.fileno())
              if access_log and root.isEnabledFor(logging.INFO) else None)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True


# --- the access log's cheap path ---------------------------------------------------------
# One line per request. Through the logging module (record, handler lookup, lock, formatter,
# a write and flush each) it cost about 15 us of CPU per request, a tenth of a detail read
# (bench/RESULTS.md). Once configure() has set up our own JSON handler, access lines are
# written in the same format straight to stderr's file descriptor, in batches as nginx's
# `access_log ... buffer= flush=` does: at most 4 KiB (one atomic write even on a pipe
# shared by several workers) and at most FLUSH_SECONDS late. A worker killed with -9 may
# lose its last FLUSH_SECONDS of access lines; errors are never buffered. Anywhere else
# (tests, embedding) access lines go through logging as usual.
FLUSH_SECONDS = 0.5
_access = logging.getLogger("phonechat.access")
_UTC = timezone.utc


class _Batch:
    """Whole lines gathered and written to a file descriptor together."""

    def __init__(self, fd: int, size: int = 4096) -> None:
        self.fd = fd
        self.size = size
        self.buf = bytearray()
        self.pending: Any = None  # the scheduled flush

    def write(self, line: bytes) -> None:
        if len(self.buf) + len(line) > self.size:
            self.flush()
        self.buf += line
        if self.pending is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop: nothing would flush later
                self.flush()
                return
            self.pending = loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None
        data, self.buf = bytes(self.buf), bytearray()
        while data:
            try:
                data = data[os.write(self.fd, data):]
            except OSError:  # stderr closed or full: drop rather than fail the request
                return


_batch: _Batch | None = None
_second: tuple[int, str] = (-1, "")  # the last whole second written, as ISO text


def _utc_now_iso() -> str:
    """datetime.now(UTC).isoformat(), with the date and time of day worked out once a
    second rather than on every access line (and the microseconds in integers: a third of
    the cost of the float arithmetic and rounding)."""
    global _second
    whole, micro = divmod(time.time_ns() // 1000, 1_000_000)
    if whole != _second[0]:
        _second = (whole, datetime.fromtimestamp(whole, _UTC).isoformat()[:-6])
    return f"{_second[1]}.{micro:06d}+00:00" if micro else f"{_second[1]}+00:00"


def _ms(seconds: float) -> float:
    # round(seconds * 1000, 3), without round()'s decimal conversion (four times the cost):
    # an integer count of microseconds over 1000 is the nearest double to that decimal.
    return round(seconds * 1_000_000) / 1000


@atexit.register
def flush_access_log() -> None:
    if _batch is not None:
        _batch.flush()


def access(request_id: str, method: str, path: str, status: int, seconds: float) -> None:
    """Log one answered request (logger phonechat.access, message "request")."""
    batch = _batch
    if batch is not None:
        batch.write(orjson.dumps(
            {"time": _utc_now_iso(), "level": "INFO",
             "logger": "phonechat.access", "message": "request", "request_id": request_id,
             "method": method, "path": path, "status": status,
             "ms": _ms(seconds)},
            option=orjson.OPT_APPEND_NEWLINE))
    elif _access.isEnabledFor(logging.INFO):
        _access.info("request", extra={"fields": {
            "request_id": request_id, "method": method, "path": path, "status": status,
            "ms": _ms(seconds)}})
