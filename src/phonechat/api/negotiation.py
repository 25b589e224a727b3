"""Content negotiation as ASP.NET Web API did it (wire-format.md, "Choosing JSON or XML")."""

from __future__ import annotations

from functools import lru_cache

JSON, XML = "json", "xml"

# media type -> (format, the Content-Type answered)
_OFFERED = {
    "application/json": (JSON, "application/json; charset=utf-8"),
    "text/json": (JSON, "text/json; charset=utf-8"),
    "application/xml": (XML, "application/xml; charset=utf-8"),
    "text/xml": (XML, "text/xml; charset=utf-8"),
}
_DEFAULT_JSON = _OFFERED["application/json"]


def _parse(accept: str) -> list[tuple[float, int, int, str]]:
    """(q, specificity, position, media type) for each value; q=0 and junk skipped."""
    ranges = []
    for pos, part in enumerate(accept.split(",")):
        fields = part.split(";")
        media = fields[0].strip().lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        kind, _, sub = media.partition("/")
        specificity = 0 if media == "*/*" else (1 if sub == "*" else 2)
        ranges.append((q, specificity, pos, media))
    return ranges


def _matches(media: str) -> list[str]:
    """Offered types a media range matches, JSON first (ties go to JSON)."""
    if media == "*/*":
        return ["application/json"]
    if media.endswith("/*"):
        kind = media[:-2]
        return [t for t in _OFFERED if t.startswith(kind + "/")]
    return [media] if media in _OFFERED else []


@lru_cache(maxsize=512)
def negotiate(accept: str | None, body_type: str | None = None) -> tuple[str, str]:
    """(format, Content-Type) for a request's Accept header (and body type when no Accept)."""
    if not accept or not accept.strip():
        # No Accept: the format (and media type) of the request body, else JSON.
        if body_type:
            return _OFFERED.get(body_type.split(";")[0].strip().lower(), _DEFAULT_JSON)
        return _DEFAULT_JSON
    best: tuple[float, int, int] | None = None
    chosen = _DEFAULT_JSON
    for q, specificity, _pos, media in _parse(accept):
        for offered in _matches(media):
            fmt = _OFFERED[offered][0]
            # Higher q wins; at equal q a more specific range; then JSON over XML.
            key = (q, specificity, 1 if fmt == JSON else 0)
            if best is None or key > best:
                best, chosen = key, _OFFERED[offered]
    return chosen


_BY_ACCEPT: dict[bytes | None, tuple[str, str]] = {}  # a request without a body: by Accept


def negotiate_headers(accept: bytes | None, body_type: bytes | None) -> tuple[str, str]:
    """`negotiate` for the raw header values. A request without a body (a GET) is looked up
    by its Accept bytes alone, the few values clients send remembered (at most 512)."""
    if body_type is None:
        got = _BY_ACCEPT.get(accept)
        if got is None:
            got = negotiate(accept.decode("latin-1") if accept is not None else None)
            if len(_BY_ACCEPT) < 512:
                _BY_ACCEPT[accept] = got
        return got
    return negotiate(accept.decode("latin-1") if accept is not None else None,
                     body_type.decode("latin-1"))
