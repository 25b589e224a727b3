"""One description of each response type, walked by both the JSON and the XML encoder.

A `Contract` lists its members in JSON order (the published samples' order). XML order
and namespaces follow the .NET DataContractSerializer: members of a base type first,
then the type's own, each group sorted ordinally; each element in the namespace of the
type that declares it. See ../shared/spec/wire-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ..domain.validation import clean_text

XSI = "http://www.w3.org/2001/XMLSchema-instance"
DC = "http://schemas.datacontract.org/2004/07/"

INT, STR, BOOL, DATE, CREDITS, OBJECT, LIST, MAP = (
    "int", "str", "bool", "date", "credits", "object", "list", "map")
INTS = "ints"  # a list of integers: a JSON array; in XML the .NET int[] (Serialization/Arrays)
STRS = "strs"  # a list of strings: a JSON array; in XML the .NET string[] (the same namespace)
NS_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"


def camel_case(name: str) -> str:
    """Json.NET's CamelCasePropertyNamesContractResolver: BookingID -> bookingID, ID -> id."""
    if not name or not name[0].isupper():
        return name
    chars = list(name)
    for i, ch in enumerate(chars):
        if i == 1 and not ch.isupper():
            break
        if i > 0 and i + 1 < len(chars) and not chars[i + 1].isupper():
            break
        chars[i] = ch.lower()
    return "".join(chars)


def snake_case(name: str) -> str:
    """A member's attribute on a typed view: BookingID -> booking_id."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Member:
    name: str
    kind: str
    of: "Contract | None" = None  # the type of an OBJECT member, or of a LIST's items
    declared_in: str | None = None  # namespace of a base type that declares it; None: own

    @property
    def camel(self) -> str:
        return camel_case(self.name)

    @property
    def attr(self) -> str:
        return snake_case(self.name)


@dataclass
class Contract:
    name: str  # the XML root / item element name
    namespace: str | None  # None: no namespace at all (the error body)
    members: Sequence[Member]
    xml_members: list[Member] = field(init=False)
    camel_names: list[str] = field(init=False)
    # The JSON encoders, by (camelCase, typed view), generated on first use (_json_encoder).
    json_encoders: dict[tuple[bool, bool], Any] = field(init=False, repr=False, compare=False)
    # The same, by (camelCase, the class of the values): what json_object looks up.
    json_by_class: dict[tuple[bool, type], Any] = field(init=False, repr=False, compare=False)
    # The XML writers of one object of this contract, by typed view, generated on first use
    # (_xml_writer); absent: not generated yet; None: the contract needs the general writer.
    xml_writers: dict[bool, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = sorted((m for m in self.members if m.declared_in), key=lambda m: m.name)
        own = sorted((m for m in self.members if not m.declared_in), key=lambda m: m.name)
        self.xml_members = base + own
        self.camel_names = [m.camel for m in self.members]
        self.json_encoders = {}
        self.json_by_class = {}
        self.xml_writers = {}

    def ns_of(self, m: Member) -> str | None:
        return m.declared_in or self.namespace

    def only(self, names: Collection[str]) -> "Contract":
        """The same contract with just these members (order kept): for an answer whose
        members are left out, not written as null, when the token lacks their scope."""
        return Contract(self.name, self.namespace, [m for m in self.members if m.name in names])


# A bare value as the answer (GetCurrentCreditBalance): JSON `299`; XML one element in the
# Serialization namespace, named after the .NET type written (see `to_xml`).
NS_SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"
BARE_CREDITS = Contract("decimal", NS_SERIALIZATION, [Member("", CREDITS)])


# --- scalar formats -------------------------------------------------------------------


def format_date(d: datetime) -> str:
    """`2018-01-21T12:48:13.412`: seconds always, the fraction without trailing zeros.
    (The generated JSON encoders inline this expression; tests hold them to it.)"""
    s = d.isoformat()
    return s.rstrip("0") if d.microsecond else s


def credits_json(units: int) -> int | float:
    """8 credits -> 8, 8.5 -> 8.5 (a JSON number, as the sample shows)."""
    whole, frac = divmod(units, 10_000)
    return whole if frac == 0 else units / 10_000


def credits_xml(units: int) -> str:
    """Four decimal places, as DataContract writes a decimal of scale 4: 8 -> 8.0000."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10_000)
    return f"{sign}{whole}.{frac:04d}"


# --- JSON -----------------------------------------------------------------------------


def member_value(values: Any, m: Member) -> Any:
    """A member's value in a mapping keyed by wire names, or in a typed view (where a
    member the view lacks is an AttributeError, never a silent null)."""
    get = getattr(values, "get", None)
    return get(m.name) if get is not None else getattr(values, m.attr)


def _is_typed(values: Any) -> bool:
    """A typed view (a dataclass, attributes in snake_case), not a mapping of wire names."""
    return getattr(values, "get", None) is None


def _json_encoder(c: Contract, camel: bool, typed: bool) -> Callable[[Any], dict[str, Any]]:
    """values -> the JSON object of contract `c`, as one generated function: a dict display
    in JSON order that converts only the members that need it (dates, credits, nested
    objects and lists, ModelState's keys in camelCase, int and string lists). It runs for
    every booking of every answer; a loop over the members cost several times as much
    (bench/RESULTS.md). `typed`: values is a typed view, read by attribute (a member it
    lacks fails, never renders as null); else a mapping of wire names."""
    encoder = c.json_encoders.get((camel, typed))
    if encoder is not None:
        return encoder  # type: ignore[no-any-return]
    env: dict[str, Any] = {"format_date": format_date, "credits_json": credits_json,
                           "camel_case": camel_case}
    items = []
    for i, m in enumerate(c.members):
        key = m.camel if camel else m.name
        got = f"values.{m.attr}" if typed else f"get({m.name!r})"
        k = m.kind
        if k == DATE:  # format_date, inlined: several dates on every booking
            value = (f"None if (v{i} := {got}) is None else "
                     f"(v{i}.isoformat().rstrip('0') if v{i}.microsecond else v{i}.isoformat())")
        elif k == CREDITS:
            value = f"None if (v{i} := {got}) is None else credits_json(v{i})"
        elif k in (OBJECT, LIST):
            # enc{i} is the encoder of the class cls{i}, the class the nested values had
            # the last time; other values go through the lazy encoder, which notes theirs.
            env[f"lazy{i}"] = _LazyEncoder(m.of, camel, env, i)  # type: ignore[arg-type]
            env[f"cls{i}"] = env[f"enc{i}"] = None
            one = f"(enc{i} if {{x}}.__class__ is cls{i} else lazy{i})({{x}})"
            each = (one.format(x=f"v{i}") if k == OBJECT
                    else f"[{one.format(x='x')} for x in v{i}]")
            value = f"None if (v{i} := {got}) is None else {each}"
        elif k == MAP and camel:  # Json.NET's camelCase resolver renames dictionary keys too
            value = (f"None if (v{i} := {got}) is None else "
                     f"{{camel_case(k): x for k, x in v{i}.items()}}")
        elif k in (INTS, STRS):
            value = f"None if (v{i} := {got}) is None else list(v{i})"
        else:
            value = got
        items.append(f"{key!r}: {value}")
    source = ("def encode(values):\n" + ("" if typed else "    get = values.get\n")
              + "    return {" + ", ".join(items) + "}\n")
    exec(compile(source, f"<json encoder of {c.name}>", "exec"), env)  # noqa: S102
    encoder = c.json_encoders[(camel, typed)] = env["encode"]
    return encoder  # type: ignore[no-any-return]


class _LazyEncoder:
    """A nested contract's encoder: each object's own (mapping or typed view), generated
    when first called (contracts may refer to each other before all exist). It leaves the
    encoder of the class it met in the parent encoder's globals (`cls{i}`, `enc{i}`), so
    that the next nested object of that class is encoded without coming here."""

    __slots__ = ("contract", "camel", "env", "i")

    def __init__(self, contract: Contract, camel: bool, env: dict[str, Any], i: int) -> None:
        self.contract, self.camel, self.env, self.i = contract, camel, env, i

    def __call__(self, values: Any) -> dict[str, Any]:
        encoder = _encoder_of(self.contract, values, self.camel)
        self.env[f"enc{self.i}"], self.env[f"cls{self.i}"] = encoder, values.__class__
        return encoder(values)  # type: ignore[no-any-return]


def _encoder_of(c: Contract, values: Any, camel: bool) -> Callable[[Any], dict[str, Any]]:
    """The encoder by the class of `values` (a typed view's or a mapping's): whether it is
    typed is worked out once per class, not probed on every object."""
    key = (camel, values.__class__)
    encoder = c.json_by_class.get(key)
    if encoder is None:
        encoder = c.json_by_class[key] = _json_encoder(c, camel, _is_typed(values))
    return encoder  # type: ignore[no-any-return]


def json_object(c: Contract, values: Any, camel: bool = False) -> dict[str, Any]:
    return _encoder_of(c, values, camel)(values)


def to_json(c: Contract, values: Any, camel: bool = False) -> bytes:
    """Compact UTF-8 JSON; a list of values gives a JSON array of the contract."""
    if c is BARE_CREDITS:
        return orjson.dumps(credits_json(values))
    if isinstance(values, list):
        return orjson.dumps([json_object(c, v, camel) for v in values])
    return orjson.dumps(json_object(c, values, camel))


# --- XML ------------------------------------------------------------------------------


def _escape(s: str) -> str:
    # A character XML 1.0 cannot carry (NUL, most C0 controls, U+FFFF, a lone surrogate)
    # is written as U+FFFD: the document stays well-formed whatever the text holds.
    s = clean_text(s)
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def _xml_text(m: Member, v: Any) -> str:
    k = m.kind
    if k == DATE:
        return format_date(v)
    if k == CREDITS:
        return credits_xml(v)
    if k == BOOL:
        return "true" if v else "false"
    return _escape(str(v))


def _element(m: Member, ns: str | None, default: str | None,
             prefixes: dict[str, str]) -> tuple[str, str, str | None]:
    """A member's element name, the namespace declaration its namespace needs, and the
    default namespace inside it."""
    if ns == default:
        return m.name, "", default
    if ns in prefixes:
        return f"{prefixes[ns]}:{m.name}", "", default  # type: ignore[index]
    return m.name, f' xmlns="{ns}"', ns


class _XmlWriter:
    """Writes one document. `default` is the in-scope default namespace, `prefixes` the
    prefixed ones (namespace -> prefix), as DataContractSerializer declares them; `depth`
    is the element depth of the parent of what is being written (the root is 1)."""

    def __init__(self) -> None:
        self.out: list[str] = []

    @staticmethod
    def _inner_prefix(inner: Contract, default: str | None, prefixes: dict[str, str],
                     depth: int) -> tuple[str, dict[str, str]]:
        """The prefix declaration an OBJECT/LIST element needs for its inner type's
        namespace (none when it is already the default or has a prefix in scope)."""
        if inner.namespace in (default, None) or inner.namespace in prefixes:
            return "", prefixes
        # DataContractSerializer names a prefix after the element's depth + 2 (the root
        # is depth 1): the sample's Candidate, at depth 2, says d4p1.
        prefix = f"d{depth + 3}p1"
        return f' xmlns:{prefix}="{inner.namespace}"', {**prefixes, inner.namespace: prefix}

    def members(self, c: Contract, values: Mapping[str, Any], default: str | None,
                prefixes: dict[str, str], depth: int) -> None:
        for m in c.xml_members:
            self.member(m, c.ns_of(m), member_value(values, m), default, prefixes, depth)

    def member(self, m: Member, ns: str | None, v: Any, default: str | None,
               prefixes: dict[str, str], depth: int) -> None:
        tag, decl, inner_default = _element(m, ns, default, prefixes)
        if v is None:
            self.out.append(f'<{tag}{decl} i:nil="true" />')
            return
        if (m.kind == STR and v == "") or (m.kind in (LIST, MAP, INTS, STRS) and not v):
            # .NET's XmlWriter closes an element with no content as `<X />` (an empty
            # string, an empty list), keeping any namespace the element declares.
            if m.kind == LIST:
                decl += self._inner_prefix(m.of, inner_default, prefixes, depth)[0]  # type: ignore[arg-type]
            elif m.kind in (INTS, STRS) and NS_ARRAYS not in prefixes:
                decl += f' xmlns:d{depth + 3}p1="{NS_ARRAYS}"'
            self.out.append(f"<{tag}{decl} />")
            return
        if m.kind in (OBJECT, LIST):
            inner = m.of
            assert inner is not None
            more, inner_prefixes = self._inner_prefix(inner, inner_default, prefixes, depth)
            decl += more
            self.out.append(f"<{tag}{decl}>")
            if m.kind == OBJECT:
                self.members(inner, v, inner_default, inner_prefixes, depth + 1)
            else:
                item = Member(inner.name, OBJECT, inner)
                for each in v:
                    self.member(item, inner.namespace, each, inner_default, inner_prefixes,
                                depth + 1)
            self.out.append(f"</{tag}>")
        elif m.kind in (INTS, STRS):
            prefix = prefixes.get(NS_ARRAYS)
            if prefix is None:
                prefix = f"d{depth + 3}p1"
                decl += f' xmlns:{prefix}="{NS_ARRAYS}"'
            self.out.append(f"<{tag}{decl}>")
            if m.kind == INTS:
                self.out.extend(f"<{prefix}:int>{int(x)}</{prefix}:int>" for x in v)
            else:
                self.out.extend(f"<{prefix}:string>{_escape(x)}</{prefix}:string>" for x in v)
            self.out.append(f"</{tag}>")
        elif m.kind == MAP:  # ModelState: one element per key, its messages joined by spaces
            self.out.append(f"<{tag}{decl}>")
            for key, messages in v.items():
                self.out.append(f"<{key}>{_escape(' '.join(messages))}</{key}>")
            self.out.append(f"</{tag}>")
        else:
            self.out.append(f"<{tag}{decl}>{_xml_text(m, v)}</{tag}>")


def to_xml(c: Contract, values: Any) -> bytes:
    """One line of DataContract XML, no declaration; a list gives ArrayOf<Contract>."""
    if c is BARE_CREDITS:
        # As published, a whole balance is `<int ...>299</int>`; a fractional one is the
        # element .NET writes for a decimal, with the API's four places (documented).
        if values % 10_000 == 0:
            return f'<int xmlns="{NS_SERIALIZATION}">{values // 10_000}</int>'.encode()
        return f'<decimal xmlns="{NS_SERIALIZATION}">{credits_xml(values)}</decimal>'.encode()
    if not isinstance(values, list) and c.namespace is not None:
        write = _xml_writer(c, _is_typed(values))
        if write is not None:
            out: list[str] = []
            write(values, out)
            return "".join(out).encode()
    w = _XmlWriter()
    if c.namespace is None:
        w.out.append(f"<{c.name}>")
        w.members(c, values, None, {}, 1)
        w.out.append(f"</{c.name}>")
    elif isinstance(values, list):
        if not values:
            return f'<ArrayOf{c.name} xmlns:i="{XSI}" xmlns="{c.namespace}" />'.encode()
        w.out.append(f'<ArrayOf{c.name} xmlns:i="{XSI}" xmlns="{c.namespace}">')
        item = Member(c.name, OBJECT, c)
        for v in values:
            w.member(item, c.namespace, v, c.namespace, {}, 1)
        w.out.append(f"</ArrayOf{c.name}>")
    else:
        w.out.append(f'<{c.name} xmlns:i="{XSI}" xmlns="{c.namespace}">')
        w.members(c, values, c.namespace, {}, 1)
        w.out.append(f"</{c.name}>")
    return "".join(w.out).encode()


def _xml_writer(c: Contract, typed: bool) -> Callable[[Any, list[str]], None] | None:
    """One object of `c` as a generated function writing what _XmlWriter writes: element
    names and namespace declarations depend on the contract alone, so they are worked out
    once and only the values are looked at per answer (the walk cost a detail read about
    15 us, bench/RESULTS.md). For contracts of scalars and nested objects (every single
    booking, setting and account answer); lists and maps take the general writer."""
    if typed in c.xml_writers:
        return c.xml_writers[typed]  # type: ignore[no-any-return]
    lines = [f"def write(values, o):", f"    o.append({f'<{c.name} xmlns:i={XSI!r} xmlns={c.namespace!r}>'.replace(chr(39), chr(34))!r})"]
    env: dict[str, Any] = {"format_date": format_date, "credits_xml": credits_xml,
                           "_escape": _escape}
    counter = [0]

    def members(inner: Contract, values: str, default: str | None, prefixes: dict[str, str],
                depth: int, pad: str) -> bool:
        for m in inner.xml_members:
            if m.kind in (LIST, MAP, INTS, STRS):
                return False
            tag, decl, inner_default = _element(m, inner.ns_of(m), default, prefixes)
            counter[0] += 1
            v = f"v{counter[0]}"
            # A typed view's nested objects are typed views too; a mapping's, mappings.
            lines.append(f"{pad}{v} = {values}.{m.attr}" if typed
                         else f"{pad}{v} = {values}.get({m.name!r})")
            lines.append(f"{pad}if {v} is None:")
            lines.append(f"{pad}    o.append({f'<{tag}{decl} i:nil=' + chr(34) + 'true' + chr(34) + ' />'!r})")
            if m.kind == OBJECT:
                assert m.of is not None
                more, inner_prefixes = _XmlWriter._inner_prefix(m.of, inner_default, prefixes,
                                                                depth)
                lines.append(f"{pad}else:")
                lines.append(f"{pad}    o.append({f'<{tag}{decl}{more}>'!r})")
                if not members(m.of, v, inner_default, inner_prefixes, depth + 1, pad + "    "):
                    return False
                lines.append(f"{pad}    o.append({f'</{tag}>'!r})")
                continue
            if m.kind == STR:
                lines.append(f"{pad}elif {v} == '':")
                lines.append(f"{pad}    o.append({f'<{tag}{decl} />'!r})")
            text = {DATE: f"format_date({v})", CREDITS: f"credits_xml({v})",
                    BOOL: f"('true' if {v} else 'false')",
                    # an int's digits need no escaping (anything else given is escaped)
                    INT: f"(str({v}) if {v}.__class__ is int else _escape(str({v})))",
                    }.get(m.kind, f"_escape(str({v}))")
            lines.append(f"{pad}else:")
            lines.append(f"{pad}    o.append({f'<{tag}{decl}>'!r} + {text} + {f'</{tag}>'!r})")
        return True

    if not members(c, "values", c.namespace, {}, 1, "    "):
        c.xml_writers[typed] = None
        return None
    lines.append(f"    o.append({f'</{c.name}>'!r})")
    exec(compile("\n".join(lines) + "\n", f"<xml writer of {c.name}>", "exec"), env)  # noqa: S102
    c.xml_writers[typed] = env["write"]
    return c.xml_writers[typed]  # type: ignore[no-any-return]
