"""Pydantic validation errors said in the user's language: the field an error names and why its input was refused,
with the limit the error carries (`string_too_long` → 「title：最多 255 个字符」 / "title: at most 255 characters").

The wording is data: one catalog entry per error type, `validation.<type>` in data/i18n/validation.yaml, formatted
with the error's `ctx`. A type the catalog does not know keeps pydantic's own text (`validation.fallback`). The JSON
API's 422 body and the portal's forms both say their errors through `say_error`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from techbridge.i18n.loader import load_catalog, translate

REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie"})
"""The first part of a FastAPI error's `loc`: where in the request the field is (kept in the API's `location`)."""

QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
"""One choice in pydantic's `expected` ("'public', 'registered' or 'owner'")."""


def field_path(loc: Sequence[str | int]) -> str:
    """The field an error's `loc` names, as a caller writes it: `("body", "indicators", 2)` → `indicators[2]`.

    The request part FastAPI puts first (`body`, `query` …) is left out unless it is all there is (`body`)."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] in REQUEST_PARTS:
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe_error(error: Mapping[str, Any], lang: str) -> str:
    """Why the input was refused, in `lang`, without the field: the catalog's wording of the error's type with its
    limits filled in, or pydantic's own message for a type the catalog does not know."""
    key = f"validation.{error.get('type', '')}"
    if key in load_catalog():
        try:
            return translate(key, lang).format(**error_params(error, lang))
        except (KeyError, IndexError):  # the wording names a limit this error does not carry
            pass
    return translate("validation.fallback", lang, msg=str(error.get("msg", "")))


def say_error(error: Mapping[str, Any], lang: str, field: str | None = None) -> str:
    """The error as one line naming its field: `field` (a form's label) or the field its `loc` names."""
    if field is None:
        field = field_path(error_loc(error))
    return translate("validation.at", lang, field=field, reason=describe_error(error, lang))


def error_loc(error: Mapping[str, Any]) -> tuple[str | int, ...]:
    """The error's `loc`; for a body that is not JSON, `("body",)` (FastAPI puts the character position after it)."""
    loc = tuple(error.get("loc") or ())
    return loc[:1] if error.get("type") == "json_invalid" else loc


def error_params(error: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The error's `ctx` as text for the wording: numbers without a needless `.0`, choices listed in `lang`, and the
    character position of a JSON error."""
    params = {name: shown_value(value) for name, value in (error.get("ctx") or {}).items()}
    if "expected" in params:
        params["expected"] = list_choices(params["expected"], lang)
    loc = tuple(error.get("loc") or ())
    if error.get("type") == "json_invalid" and loc and isinstance(loc[-1], int):
        params["position"] = str(loc[-1])
    return params


def shown_value(value: object) -> str:
    """A limit as a person writes it: 2.0 → "2", Decimal("0.050") → "0.05"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def list_choices(expected: str, lang: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" as the choices joined in `lang` (a、b、c / a, b, c); other text unchanged."""
    choices = QUOTED.findall(expected)
    if not choices:
        return expected
    return translate("validation.choice_separator", lang).join(choices)
