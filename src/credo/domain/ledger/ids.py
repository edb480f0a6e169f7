"""The shapes of ids, names and codes (SPEC §1, §2), in one place for every layer: intake and
key scopes check them here, and the API schemas state the same patterns to their clients.
References (`source`, `source_ref`, `case_ref`) follow their own rule, `domain.references`."""

from __future__ import annotations

ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
"""A subject id."""

REGION_PATTERN = r"^[A-Z0-9]{1,8}(-[A-Z0-9]{1,8})*$"
"""A region code, e.g. `CN-SD-RC`."""

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
"""A record type, context, list id or key scope."""

RECORD_ID_PATTERN = r"^r[0-9a-f]{24}$"
"""A record id, as `records.record_id_for` derives it from the idempotency key."""

OBJECTION_ID_PATTERN = r"^r[0-9a-f]{24}-o[0-9]{1,6}$"
"""An objection id: its record's id, `-o` and a number."""

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
"""A date as a record writes it, YYYY-MM-DD."""

SHA256_PATTERN = r"^[0-9a-f]{64}$"
"""Evidence's SHA-256, in lowercase hex."""
