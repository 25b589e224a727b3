"""What the README promises about the route table holds."""

from __future__ import annotations

import re
from pathlib import Path

from phonechat.api.factory import build_routes

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_the_group_variants_there_are() -> None:
    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- group-variants"):text.index("<!-- /group-variants -->")]
    listed = set(re.findall(r"`(GET|POST) (/v1/Groups/[^`]+)`", block))
    served = {(r.method, r.path) for methods in build_routes(sandbox=True).table.values()
              for r in methods.values() if r.as_member}
    assert listed == served


def test_docs_wire_cites_only_files_in_the_repo() -> None:
    root = README.parent
    text = (root / "docs" / "wire.md").read_text(encoding="utf-8")
    cited = {name.strip() for group in re.findall(r"\[([a-z_/., ]+\.py[a-z_/., ]*)\]", text)
             for name in group.split(",")}
    assert cited and all((root / "tests" / name).exists() for name in cited), cited
    for name in set(re.findall(r"[\w./-]+\.(?:md|txt)\b", text)):
        if name.startswith("../"):  # the reference folder beside a checkout, not the repo's
            continue
        assert (root / name).exists() or (root / "docs" / name).exists(), name


def test_docs_wire_endpoint_table_names_every_route() -> None:
    """The published-or-reconstructed table has a row for every route there is (sandbox and
    metrics included; HEAD and OPTIONS follow their paths' other verbs)."""
    text = (README.parent / "docs" / "wire.md").read_text(encoding="utf-8")
    table = text[text.index("| Endpoint | Original's page |"):]
    table = table[:table.index("\n\n")]
    listed = set(re.findall(r"`(GET|POST) (/[^`]*)`", table))
    served = {(r.method, r.path)
              for methods in build_routes(sandbox=True, metrics=True).table.values()
              for r in methods.values() if r.method in ("GET", "POST")}
    assert served - listed == set()
    assert listed - served == set()
