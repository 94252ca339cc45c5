"""HTMX helpers: is this a partial request?"""

from __future__ import annotations

from starlette.requests import Request


def is_partial(request: Request) -> bool:
    """True for HTMX requests that want only a fragment (not history restores)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
