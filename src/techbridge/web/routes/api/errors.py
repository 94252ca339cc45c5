"""The one error body of the JSON API (`ErrorRead`) and the error responses every API route documents."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from techbridge.errors import InvalidDataError
from techbridge.i18n.validation import error_loc, say_error


class ErrorRead(BaseModel):
    """The body of every error under /api: domain errors and request-validation errors alike."""

    error: str = Field(description="stable code: not_found, permission_denied, invalid_data, conflict")
    message: str = Field(
        description="in the caller's language (?lang=, else the `lang` cookie, else Chinese), the field first"
    )
    location: list[str | int] = Field(description="the field (or file, row, column) at fault")
    detail: list[dict[str, Any]] | None = Field(
        None, description="request-validation errors only: every failing input (`loc`, `msg`, `type`)"
    )


API_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorRead, "description": "not signed in, missing/invalid X-CSRF-Token, or not allowed"},
    404: {"model": ErrorRead, "description": "no such record, or the caller may not read it"},
    422: {"model": ErrorRead, "description": "invalid input: `location` names the field, `error` is invalid_data"},
}
"""Documented on every API route (the API router's own `responses`); a route adds its particular ones."""


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorRead, "description": "the change contradicts stored state (`error` is conflict)"},
}
"""Added by write routes whose service refuses a change against the record's state (a second application, a
choice before the deadline, a case moved backwards)."""


def validation_body(exc: RequestValidationError, lang: str) -> dict[str, Any]:
    """The 422 body of invalid request input: the first failing input's full `location` (`query`/`path`/`body` and
    the field), a `message` in `lang` naming the field and the limit it broke (`validation.<type>` in the catalog,
    pydantic's text for a type it does not know), and FastAPI's `detail` of every failing input beside it."""
    errors = exc.errors()
    first: dict[str, Any] = dict(errors[0]) if errors else {"type": "", "loc": (), "msg": "invalid request"}
    return {
        "error": InvalidDataError.code,
        "message": say_error(first, lang),
        "location": list(error_loc(first)),
        "detail": jsonable_encoder(errors),
    }


class ErrorResponse(JSONResponse):
    """An error body as JSON that survives what the caller sent and `detail` echoes: a lone surrogate (valid in a
    JSON string as "\\ud800", not encodable as UTF-8) is written back as that escape, and NaN or Infinity (which
    Python's JSON reader accepts) as the strings "nan" and "inf", where Starlette's JSONResponse raised and the
    caller got a 500."""

    def render(self, content: Any) -> bytes:
        """Compact UTF-8 JSON; characters UTF-8 cannot hold as their `\\uXXXX` escape."""
        text = json.dumps(finite(content), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")


def finite(value: Any) -> Any:
    """`value` with every non-finite float (NaN, ±Infinity) as its text, which JSON can hold."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value
