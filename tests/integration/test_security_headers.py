"""Security headers on every response, and templates the Content-Security-Policy can serve unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from techbridge.config import Settings
from techbridge.web.app import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "techbridge" / "web" / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|\shx-on|javascript:", re.IGNORECASE)


class TestHeaders:
    @pytest.mark.parametrize("path", ["/", "/login", "/api/achievements", "/static/css/app.css", "/no-such-page"])
    def test_every_response_carries_them(self, settings: Settings, path: str) -> None:
        response = TestClient(create_app(settings)).get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers

    def test_api_docs_get_their_own_policy(self, settings: Settings) -> None:
        csp = TestClient(create_app(settings)).get("/docs").headers["content-security-policy"]
        assert "https://cdn.jsdelivr.net" in csp
        assert "frame-ancestors 'none'" in csp

    def test_hsts_behind_tls(self, settings: Settings) -> None:
        app = create_app(settings.model_copy(update={"cookie_secure": True}))
        response = TestClient(app, base_url="https://t").get("/")
        assert response.headers["strict-transport-security"].startswith("max-age=")


class TestTemplates:
    def test_no_inline_script_style_or_handler(self) -> None:
        found = [
            f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}"
            for path in sorted(TEMPLATES.rglob("*.html"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if INLINE.search(line)
        ]
        assert found == []
