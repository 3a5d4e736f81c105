"""Sentences the documentation of every managed record's operations shares.

Each endpoint writes out the sentence that names its own record; these say what is
the same for all of them, so the rules read alike across the document.
"""

IDEMPOTENT_CREATE = (
    "With an `Idempotency-Key`, a retry replays the first response instead of creating a "
    "second record."
)
IF_MATCH = (
    "Send `If-Match` with the record's current ETag; without it the answer is 428, "
    "and a stale one gets 412 with the current ETag and changes nothing."
)
READ_ETAG = "Its ETag is what writes send in `If-Match`; `If-None-Match` with it answers 304."
REPLACE = (
    "Replaces every editable field with the body (fields left out take their defaults) and "
    "returns the record with its new ETag; a body that changes nothing keeps the version."
)
MERGE_PATCH = (
    "Applies a JSON Merge Patch (RFC 7386): objects merge key by key, `null` removes a field "
    "and a list replaces the whole list; the result is validated like a replace and returned "
    "with its new ETag."
)

# What writes of a record that published articles embed mean for readers.
SHOWN_ONCE_PUBLISHED = "Readers see it only once a published article shows it."
RERENDERED_ON_SAVE = (
    "Every published article that shows it is re-rendered in the same transaction, so "
    "readers see the change at once."
)
KEPT_WHILE_USED = (
    "While an article or another record still uses it, the answer is 409 with `used_by` "
    "listing them, and nothing is deleted."
)
