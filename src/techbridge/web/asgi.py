"""ASGI entry point for servers that import the app by name (`techbridge serve --workers N`, uvicorn, gunicorn
with uvicorn workers): each worker process builds its own app from the environment's settings."""

from __future__ import annotations

from fastapi import FastAPI

from techbridge.config import get_settings
from techbridge.web.app import create_app

APP_FACTORY = "techbridge.web.asgi:app_from_environment"


def app_from_environment() -> FastAPI:
    """The portal and API bound to the TECHBRIDGE_* settings of this process."""
    return create_app(get_settings())
