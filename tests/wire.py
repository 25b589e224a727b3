"""Helpers for comparing what is on the wire with the published samples.

The samples are the published blocks, kept exactly (typos included) in tests/fixtures/samples
so that a fresh clone runs every sample test; tests/api/test_sample_fixtures.py checks they
still equal the reference pages when ../shared/spec is there. The pages have typos that are
not part of the format (docs/wire.md names them); each repair below is the smallest edit
that makes the block parse, and says what it fixes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.dom import minidom

XSI = "http://www.w3.org/2001/XMLSchema-instance"


SAMPLES = Path(__file__).resolve().parent / "fixtures" / "samples"


def published_blocks(page: str) -> tuple[str, str]:
    """The (JSON, XML) sample blocks of a reference page's text, exactly as published: the
    lines after the sentence under "Response Sample", up to the XML's first line; then from
    there to the page's end (trailing whitespace dropped)."""
    lines = page[page.index("Response Sample") + len("Response Sample"):].split("\n")
    i = 0
    while not lines[i].strip():
        i += 1
    i += 1  # "The following example returns ..."
    while not lines[i].strip():
        i += 1
    j = next(k for k in range(i, len(lines)) if lines[k].startswith("<MadeBooking"))
    return "\n".join(lines[i:j]).rstrip(), "\n".join(lines[j:]).rstrip()


def sample(name: str) -> str:
    """A published sample block, as kept in tests/fixtures/samples (typos included)."""
    return (SAMPLES / name).read_text(encoding="utf-8").rstrip("\n")


def details_sample_json() -> str:
    return sample("made-booking-details.json")


def details_sample_xml() -> str:
    xml = sample("made-booking-details.xml")
    # Typo: the XML sample says Duration 5 where the JSON sample (and the booking) says 15.
    assert xml.count("<Duration>5</Duration>") == 1
    return xml.replace("<Duration>5</Duration>", "<Duration>15</Duration>")


def cancel_sample_json() -> str:
    block = sample("cancel-made-booking.json").strip()
    # Typo 1: a missing comma after "CancelledBy": "BookingUser".
    assert block.count('"CancelledBy": "BookingUser"\n') == 1
    block = block.replace('"CancelledBy": "BookingUser"\n', '"CancelledBy": "BookingUser",\n')
    # Typo 2: the page lost the opening brace and both closing braces (Candidate's, the
    # booking's).
    assert not block.startswith("{") and not block.endswith("}")
    return "{" + block + "}}"


def cancel_sample_xml() -> str:
    xml = sample("cancel-made-booking.xml")
    # Typo 1: <Comments> is "closed" by a second <Comments>.
    assert xml.count("again tonight!<Comments>") == 1
    xml = xml.replace("again tonight!<Comments>", "again tonight!</Comments>")
    # Typo 2: the sample is truncated: </Candidate> (after its last shown child) and the
    # closing </MadeBooking> are missing. The page shows a subset of the elements; the
    # test compares those (in their order), see assert_shown_elements.
    marker = '<d4p1:SkypeName i:nil="true" />'
    assert xml.count(marker) == 1 and "</Candidate>" not in xml and "</MadeBooking>" not in xml
    xml = xml.replace(marker, marker + "</Candidate>")
    return xml + "</MadeBooking>"


def json_pairs(text: str | bytes) -> Any:
    """Parsed JSON where every object is its list of (key, value): key order counts."""
    return json.loads(text, object_pairs_hook=list)


def compact_xml(xml: str) -> str:
    """The sample as the service writes it: whitespace between elements removed."""
    return re.sub(r">\s+<", "><", xml.strip())


def xml_tree(xml: str | bytes) -> tuple[Any, ...]:
    """A comparable walk of the document: for each element its namespace URI, prefix,
    local name, the namespace declarations it carries, its other attributes (with their
    namespace), and its text or children."""
    doc = minidom.parseString(xml)
    return _walk(doc.documentElement)


def _walk(el: Any) -> tuple[Any, ...]:
    decls, attrs = [], []
    for i in range(el.attributes.length):
        a = el.attributes.item(i)
        if a.name == "xmlns" or a.name.startswith("xmlns:"):
            decls.append((a.name, a.value))
        else:
            attrs.append((a.namespaceURI, a.prefix, a.localName, a.value))
    children = [c for c in el.childNodes if c.nodeType == c.ELEMENT_NODE]
    text = "".join(c.data for c in el.childNodes if c.nodeType == c.TEXT_NODE)
    content: Any = tuple(_walk(c) for c in children) if children else text
    return (el.namespaceURI, el.prefix, el.localName, tuple(decls), tuple(sorted(attrs)),
            content)


def assert_shown_elements(sample: tuple[Any, ...], actual: tuple[Any, ...], path: str = "") -> None:
    """Every element the (partial) sample shows is in `actual`, in the same order, equal
    in namespace, prefix, declarations, nil and text; elements the page left out are
    allowed between them."""
    s_ns, s_prefix, s_name, s_decls, s_attrs, s_content = sample
    a_ns, a_prefix, a_name, a_decls, a_attrs, a_content = actual
    here = f"{path}/{s_name}"
    assert (s_ns, s_prefix, s_name, s_decls, s_attrs) == (a_ns, a_prefix, a_name, a_decls, a_attrs), here
    if isinstance(s_content, str):
        assert s_content == a_content, here
        return
    assert isinstance(a_content, tuple), here
    position = 0
    for child in s_content:
        key = (child[0], child[2])
        while position < len(a_content) and (a_content[position][0], a_content[position][2]) != key:
            position += 1
        assert position < len(a_content), f"{here}/{child[2]} missing or out of order"
        assert_shown_elements(child, a_content[position], here)
        position += 1


async def send(client: Any, method: str, url: str, *, accept: str | None = None, **kw: Any) -> Any:
    """A request with exactly the Accept given: None sends no Accept header at all (httpx
    otherwise adds `Accept: */*`)."""
    request = client.build_request(method, url, **kw)
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return await client.send(request)
