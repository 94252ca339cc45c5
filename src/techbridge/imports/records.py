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
    row = {**ACHIEVEMENT_COLUMNS, **fields, "source_key": source_key, "source_file": source_file}
    row["title"] = str(row["title"])[:512]
    return row


def stable_key(text: str, limit: int = 255) -> str:
    """`text` as a provenance key; texts longer than the column get a prefix plus a SHA-1 of the whole."""
    if len(text) <= limit:
        return text
    import hashlib

    return text[: limit - 41] + "#" + hashlib.sha1(text.encode("utf-8")).hexdigest()
