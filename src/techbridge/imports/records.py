"""Row builders for achievements: every row carries every column so bulk inserts batch cleanly."""

from __future__ import annotations

from typing import Any

ACHIEVEMENT_COLUMNS: dict[str, Any] = {
    "kind": "paper",
    "title": "",
    "abstract": "",
    "keywords": [],
    "ipc_codes": [],
    "field_tags": [],
    "trl": None,
    "year": None,
    "transfer_modes": [],
    "price": None,
    "region_code": None,
    "visibility": "public",
    "owner_id": None,
}


def achievement_row(source_key: str, source_file: str, **fields: Any) -> dict[str, Any]:
    """A complete achievements row: defaults, then `fields`; the title is cut to the column's 512 characters."""
    given = {k: v for k, v in fields.items() if v is not None and k in ACHIEVEMENT_COLUMNS}
    row = {**ACHIEVEMENT_COLUMNS, **given, "source_key": source_key, "source_file": source_file}
    row["title"] = str(row["title"])[:512]
    return row


def stable_key(text: str, limit: int = 255) -> str:
    """`text` as a provenance key; texts longer than the column get a prefix plus a SHA-1 of the whole."""
    if len(text) <= limit:
        return text
    import hashlib

    return text[: limit - 41] + "#" + hashlib.sha1(text.encode("utf-8")).hexdigest()


EXPERT_COLUMNS: dict[str, Any] = {
    "name": "",
    "affiliation_id": None,
    "affiliation_name": "",
    "title": "",
    "fields": [],
    "programme_tags": [],
    "bio": "",
    "email": None,
    "phone": None,
    "contact_visibility": "owner",
    "visibility": "public",
    "owner_id": None,
}

DEMAND_COLUMNS: dict[str, Any] = {
    "enterprise_id": None,
    "title": "",
    "description": "",
    "field_tags": [],
    "budget": None,
    "deadline": None,
    "status": "open",
    "region_code": None,
    "visibility": "public",
    "owner_id": None,
}


def complete_row(defaults: dict[str, Any], source_key: str, source_file: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Defaults overridden by the known `fields` (unknown keys dropped), plus provenance."""
    row = {**defaults, **{k: v for k, v in fields.items() if k in defaults and v is not None}}
    row.update(source_key=source_key, source_file=source_file)
    return row
