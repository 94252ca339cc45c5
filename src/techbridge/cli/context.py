"""What every command needs: the settings from the Typer context, the acting user (`--as`), the user's language,
JSON printing."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, NoReturn

import typer
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM, Viewer
from techbridge.accounts.queries import get_user_by_username
from techbridge.accounts.service import viewer_for
from techbridge.config import Settings, get_settings
from techbridge.errors import NotFoundError
from techbridge.i18n.loader import translate
from techbridge.models import User

AS_OPTION = typer.Option(None, "--as", help="act as this username (default: the system administrator)")
EXIT_PARTIAL = 3
"""Exit status of a batch command that finished but refused some of its input: the good results are printed, each
refused line or row is named on stderr. 1 stays "failed, nothing done" (an error line on stderr) and 2 a usage
error, so a script can tell the three apart."""


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback put in the context (or the process-wide ones)."""
    root = ctx.find_root()
    if isinstance(root.obj, Settings):
        return root.obj
    return get_settings()


def acting_user(session: Session, username: str) -> User:
    """The active user `--as` names; an unknown or deactivated user is refused the same way, as sign-in does."""
    user = get_user_by_username(session, username)
    if user is None or not user.is_active:
        raise NotFoundError(f"no active user {username!r}", message_zh=f"用户 {username} 不存在或已停用")
    return user


def acting_viewer(session: Session, username: str | None) -> Viewer:
    """Who a command acts as: the active user `--as` names (with exactly that user's permissions), else the system
    administrator."""
    if not username:
        return SYSTEM
    return viewer_for(acting_user(session, username))


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


def exit_partial(failed: int, total: int, unit: str) -> NoReturn:
    """End a batch in which `failed` of `total` lines (`unit` "lines") or rows ("rows") were refused: one summary
    line on stderr in the user's language, exit status `EXIT_PARTIAL`."""
    sys.stderr.write(translate(f"cli.partial.{unit}", cli_lang(), failed=failed, total=total) + "\n")
    raise SystemExit(EXIT_PARTIAL)
