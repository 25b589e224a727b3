"""The sample fixtures are the published blocks: equal, character for character, to the
reference pages' Response Samples (when ../shared/spec, or PHONECHAT_SPEC_DIR, is here)."""

from __future__ import annotations

import pytest

from tests.conftest import SPEC
from tests.wire import SAMPLES, published_blocks, sample


@pytest.mark.parametrize("page", ["made-booking-details", "cancel-made-booking"])
def test_the_fixtures_are_the_published_blocks(page) -> None:
    path = SPEC / f"{page}.txt"
    if not path.exists():
        pytest.skip(f"the reference page {path} is not here (PHONECHAT_SPEC_DIR names it)")
    published_json, published_xml = published_blocks(path.read_text(encoding="utf-8"))
    assert sample(f"{page}.json") == published_json
    assert sample(f"{page}.xml") == published_xml


def test_every_fixture_is_there() -> None:
    assert sorted(p.name for p in SAMPLES.iterdir()) == [
        "cancel-made-booking.json", "cancel-made-booking.xml",
        "made-booking-details.json", "made-booking-details.xml"]
