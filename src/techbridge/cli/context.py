"""What every command needs: the settings from the Typer context, the user's language, JSON printing."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer

from techbridge.config import Settings, get_settings


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback put in the context (or the process-wide ones)."""
    root = ctx.find_root()
    if isinstance(root.obj, Settings):
        return root.obj
    return get_settings()


def cli_lang() -> str:
    """The user's language for messages: TECHBRIDGE_LANG, else LC_ALL / LC_MESSAGES / LANG; "zh" or "en"."""
    for var in ("TECHBRIDGE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def print_json(payload: Any) -> None:
    """One JSON document on stdout, UTF-8, not ASCII-escaped."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")


def print_json_line(payload: Any) -> None:
    """One JSON Lines record on stdout, flushed (for streaming outputs)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str, separators=(",", ":")) + "\n")
    sys.stdout.flush()
