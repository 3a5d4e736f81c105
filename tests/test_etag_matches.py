"""The one ETag comparison rule: weak for If-None-Match, strong for If-Match (RFC 9110)."""

import pytest

from app.http import etag_matches

TAG = '"person-1-v1"'


@pytest.mark.parametrize("weak", [True, False])
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (TAG, True),
        (f"  {TAG}  ", True),
        (f'"other", {TAG}', True),
        (f'"other",{TAG},"more"', True),
        ("*", True),
        (" * ", True),
        ('"other"', False),
        ("", False),
        # Whole tags only: neither a longer tag nor a list containing the text matches.
        ('"person-1-v10"', False),
        ('"person-1-v1"x', False),
        ('"a", "person-1-v1" "b"', False),
        # `*` stands for any tag only on its own.
        ('*, "other"', False),
        ('"*"', False),
    ],
)
def test_both_rules_agree_on_lists_spaces_star_and_whole_tags(
    header: str, expected: bool, weak: bool
) -> None:
    assert etag_matches(header, TAG, weak=weak) is expected


def test_if_none_match_compares_weakly() -> None:
    assert etag_matches(f"W/{TAG}", TAG, weak=True)
    assert etag_matches(f'"other", W/{TAG}', TAG, weak=True)
    assert etag_matches(TAG, f"W/{TAG}", weak=True)
    assert etag_matches(f"W/{TAG}", f"W/{TAG}", weak=True)


def test_if_match_compares_strongly() -> None:
    assert not etag_matches(f"W/{TAG}", TAG, weak=False)
    assert not etag_matches(f'"other", W/{TAG}', TAG, weak=False)
    assert not etag_matches(TAG, f"W/{TAG}", weak=False)
    assert not etag_matches(f"W/{TAG}", f"W/{TAG}", weak=False)
    assert etag_matches("*", f"W/{TAG}", weak=False)
