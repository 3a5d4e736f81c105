"""bio_line: the one line under an author's name, built from ordered affiliations."""

from dataclasses import dataclass

import pytest

from app.documents.bio import bio_line, format_affiliation


@dataclass(frozen=True)
class Aff:
    role: str
    organization: str | None = None
    organization_full_name: str | None = None
    is_current: bool = True
    note: str | None = None


def test_role_alone() -> None:
    assert format_affiliation(Aff("Columnist")) == "Columnist"


def test_role_and_organization() -> None:
    assert format_affiliation(Aff("Senior fellow", "Example Council")) == (
        "Senior fellow, Example Council"
    )


def test_acronym_is_spelled_out_in_parentheses() -> None:
    aff = Aff("Executive Director", "ACME", "Association for Civic Mediation and Exchange")

    assert format_affiliation(aff) == (
        "Executive Director, ACME (Association for Civic Mediation and Exchange)"
    )


def test_former_role_with_party_note() -> None:
    aff = Aff("member of Parliament", is_current=False, note="Unity Party")

    assert format_affiliation(aff) == "former member of Parliament (Unity Party)"


def test_former_role_at_organization_with_full_name_and_note() -> None:
    aff = Aff("Adviser", "UNDP", "United Nations Development Programme", False, "2010-2014")

    assert format_affiliation(aff) == (
        "former Adviser, UNDP (United Nations Development Programme) (2010-2014)"
    )


def test_bio_line_joins_affiliations_in_order() -> None:
    affiliations = [
        Aff("Executive Director", "ACME", "Association for Civic Mediation and Exchange"),
        Aff("Senior non-resident fellow", "Example Council"),
        Aff("member of Parliament", is_current=False, note="Unity Party"),
    ]

    assert bio_line(affiliations) == (
        "Executive Director, ACME (Association for Civic Mediation and Exchange); "
        "Senior non-resident fellow, Example Council; "
        "former member of Parliament (Unity Party)"
    )
    assert bio_line(reversed(affiliations)) == (
        "former member of Parliament (Unity Party); "
        "Senior non-resident fellow, Example Council; "
        "Executive Director, ACME (Association for Civic Mediation and Exchange)"
    )


def test_no_affiliations_is_no_bio_line() -> None:
    assert bio_line([]) is None


def test_full_name_without_an_acronym_is_the_organization() -> None:
    aff = Aff("Senior fellow", organization_full_name="Example Council on Foreign Affairs")

    assert format_affiliation(aff) == "Senior fellow, Example Council on Foreign Affairs"


@pytest.mark.parametrize("organization", [None, "ACME"])
@pytest.mark.parametrize("full_name", [None, "Association for Civic Mediation and Exchange"])
@pytest.mark.parametrize("is_current", [True, False])
@pytest.mark.parametrize("note", [None, "Unity Party"])
def test_no_dangling_separator_whatever_is_missing(
    organization: str | None, full_name: str | None, is_current: bool, note: str | None
) -> None:
    text = format_affiliation(Aff("Adviser", organization, full_name, is_current, note))

    assert not text.endswith((",", " ")), text
    for broken in (", (", ",,", "()"):
        assert broken not in text, text
    assert ("," in text) == (organization is not None or full_name is not None), text
    assert text.removeprefix("former ").startswith("Adviser")


def test_a_written_line_is_printed_exactly_over_the_affiliations() -> None:
    printed = "Executive Director of ACME  ;  former MP"

    assert bio_line([Aff("Columnist", "The Ledger")], written=printed) == printed
    assert bio_line([], written=printed) == printed
    assert bio_line([Aff("Columnist", "The Ledger")], written=None) == "Columnist, The Ledger"
