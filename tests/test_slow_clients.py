"""Slow clients (issue 9, 3.8): a connection that sends part of its headers or body is closed
once PHONECHAT_HEADER_TIMEOUT / PHONECHAT_BODY_TIMEOUT pass, on the real server (the
sandbox command here: the same protocol class as `serve`). The deadlines are set small for
the test; what is measured is the server closing the connection, never a sleep."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.servers import free_port, start, stop, wait_for_port

pytestmark = pytest.mark.slow

DEADLINE = 0.5  # seconds, for both: set through the environment below
WITHIN = DEADLINE + 1.5  # the connection must be closed by then (generous for a busy machine)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("slow")
    port, log = free_port(), tmp / "sandbox.log"
    proc = start(["sandbox", "--db", str(tmp / "sandbox.db"), "--port", str(port),
                  "--clock", "2018-01-21T14:00:00"], log,
                 {"PHONECHAT_ACCESS_LOG": "false", "PHONECHAT_HEADER_TIMEOUT": str(DEADLINE),
                  "PHONECHAT_BODY_TIMEOUT": str(DEADLINE)})
    try:
        wait_for_port(proc, port, log)
        yield port
    finally:
        stop(proc)


def _until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    sock.settimeout(WITHIN)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        pytest.fail(f"still open after {WITHIN} s; received {received!r}")
    return received, time.monotonic() - started


@pytest.mark.parametrize("partial", [
    b"",  # connected, sent nothing
    b"GET /v1/PhoneChat/MadeBookingDetails?BookingID=1 HTTP/1.1\r\nHost: x\r\n",
    b"GET /hea",
])
def test_late_headers_get_408_and_the_connection_closed(server, partial) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(partial)
        received, took = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert received.endswith(b'{"Message":"The request was not received in time."}')
    assert took >= DEADLINE * 0.8


def test_a_late_body_closes_the_connection_and_changes_nothing(server) -> None:
    body = b'{"BookingID": 3, "Reason": "half a request"}'
    head = (b"POST /v1/PhoneChat/CancelMadeBooking HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: bearer sandbox-client\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body) + 10).encode() + b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(head + body)  # 10 bytes short of what it declared
        received, took = _until_closed(sock)
    assert received == b"" and took >= DEADLINE * 0.8
    r = httpx.get(f"http://127.0.0.1:{server}/v1/PhoneChat/MadeBookingDetails?BookingID=3",
                  headers={"Authorization": "bearer sandbox-client"})
    assert r.json()["Status"] == "Pending"  # the half request did nothing


def test_a_kept_alive_connection_gets_the_header_deadline_again(server) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\n")
        received, _ = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 ") and b"HTTP/1.1 408 " in received


def test_a_prompt_request_is_served(server) -> None:
    r = httpx.get(f"http://127.0.0.1:{server}/health")
    assert r.status_code == 200
