"""Annotated field types shared by every schema: bounds live here, once."""

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

# Declared in the schema as well as checked here, so that what a client's validator accepts
# is what the server accepts: an RFC 3986 URI (what `format: uri` means) with a lowercase
# http or https scheme, a host and an optional port, and no user info.
_PCT = "%[0-9A-Fa-f]{2}"
_HOST_CHAR = rf"(?:[A-Za-z0-9._~!$&'()*+,;=-]|{_PCT})"
_PATH_CHAR = rf"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|{_PCT})"
HTTP_URL_PATTERN = (
    rf"^https?://{_HOST_CHAR}+(?::[0-9]*)?(?:/{_PATH_CHAR}*)*"
    rf"(?:\?(?:{_PATH_CHAR}|[/?])*)?(?:#(?:{_PATH_CHAR}|[/?])*)?$"
)
_HTTP_URL = re.compile(HTTP_URL_PATTERN)


def _http_url(value: str) -> str:
    if not _HTTP_URL.fullmatch(value):
        raise ValueError("must be an absolute http or https URL, e.g. https://example.com/page")
    return value


_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


def _rfc3339(value: object) -> object:
    # Pydantic's lax mode would also take Unix numbers and zone-less times.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time with a zone, e.g. 2026-11-20T08:30:00Z")
    return value


def _in_utc(value: datetime) -> datetime:
    # Any offset is accepted; what is stored and served is the same instant in UTC ("Z").
    return value.astimezone(UTC)


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339),
    AfterValidator(_in_utc),
    Field(examples=["2026-11-01T00:00:00Z"]),
]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it on every backend alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _not_a_number(value: object) -> object:
    # Pydantic's lax mode would read a JSON number as a Unix time.
    if isinstance(value, int | float):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return value


def _integral_number(value: object) -> object:
    # JSON Schema counts 12.0 as an integer, so a schema-valid body may carry one.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


NoNul = AfterValidator(_no_nul)
# What the stripping and NUL checks of a text mean, said in the schema so that a client's
# validator agrees: not blank, and no NUL anywhere. Blank takes in every reading of it
# here: pydantic strips U+0085 (Unicode's White_Space), Python's str.strip, which checks
# that a paragraph keeps some text, strips U+001C to U+001F, the HTML cleaner drops U+FEFF,
# and regex engines disagree on which of these \s covers.
TEXT_PATTERN = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85\ufeff][^\x00]*$"
TextPattern = Field(json_schema_extra={"pattern": TEXT_PATTERN})
# In a URL an id arrives as text; in a JSON body it must be a JSON integer.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
# Field types for JSON bodies. Lax mode would take `true` as id 1, `0` as false
# and "12" as 12: an integration bug the schema promises to refuse. Bounds go
# inside IntegralNumber: pydantic cannot render bounds set around a validator.
IntegralNumber = BeforeValidator(_integral_number)
Ref = Annotated[Id, Strict(), IntegralNumber]
Flag = Annotated[bool, Strict()]
Pixels = Annotated[int, Field(ge=1, le=100_000), Strict(), IntegralNumber]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Day = Annotated[date, BeforeValidator(_not_a_number), Field(examples=["2026-11-01"])]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul, TextPattern
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    NoNul,
    TextPattern,
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
    NoNul,
    TextPattern,
]
Kicker = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    NoNul,
    TextPattern,
]
Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=120)
]
LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$", max_length=16)
]
HttpUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    AfterValidator(_http_url),
    Field(json_schema_extra={"format": "uri", "pattern": HTTP_URL_PATTERN}),
]

# Write payloads reject unknown fields; public schemas describe what we emit.
WRITE_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)
