"""Token material: random, shown once, stored as a hash."""

import hashlib
import secrets

TOKEN_PREFIX = "byl_"  # noqa: S105 - a marker that makes leaked tokens greppable
PREFIX_SHOWN = 12


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # 256 random bits need no slow KDF: a fast hash cannot be brute-forced at that entropy.
    return hashlib.sha256(token.encode()).hexdigest()
