"""The one error body of the JSON API (`ErrorRead`) and the error responses every API route documents."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from techbridge.errors import InvalidDataError


class ErrorRead(BaseModel):
    """The body of every error under /api: domain errors and request-validation errors alike."""

    error: str = Field(description="stable code: not_found, permission_denied, invalid_data, conflict")
    message: str = Field(description="in the caller's language (?lang=, cookie or Accept-Language), location first")
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


def validation_error(exc: RequestValidationError) -> InvalidDataError:
    """The first failing input of a request as a domain error naming it (`query`/`path`/`body` and the field)."""
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    location = tuple(first.get("loc", ()))
    reason = str(first.get("msg", "invalid value"))
    return InvalidDataError(reason, location=location, message_zh=f"输入无效（{reason}）")
