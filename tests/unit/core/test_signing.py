"""The cookie-signing key: never the public default; a private generated key only for loopback development."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import BadSignature, TimestampSigner
from typer.testing import CliRunner

from techbridge.cli.app import app as cli_app
from techbridge.config import DEV_SECRET, Settings
from techbridge.errors import InvalidDataError
from techbridge.signing import is_loopback, settings_for_serving, signing_key
from techbridge.web.app import create_app


def _settings(tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {"database_url": f"sqlite:///{tmp_path / 'x.db'}", "var_dir": tmp_path / "var"}
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


class TestIsLoopback:
    @pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"])
    def test_loopback_addresses(self, host: str) -> None:
        assert is_loopback(host)

    @pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "example.org", ""])
    def test_other_binds(self, host: str) -> None:
        assert not is_loopback(host)


class TestSigningKey:
    def test_the_default_is_no_longer_the_public_value(self) -> None:
        assert Settings().secret_key != DEV_SECRET

    def test_explicit_key_is_used(self, tmp_path: Path) -> None:
        assert signing_key(_settings(tmp_path, secret_key="from-the-vault")) == "from-the-vault"

    @pytest.mark.parametrize("configured", ["", DEV_SECRET])
    def test_unset_key_becomes_a_private_file_reused_later(self, tmp_path: Path, configured: str) -> None:
        settings = _settings(tmp_path, secret_key=configured)
        key = signing_key(settings)
        path = tmp_path / "var" / "secret_key"
        assert key != DEV_SECRET
        assert len(key) >= 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert signing_key(settings) == key

    def test_prod_refuses_a_missing_key(self, tmp_path: Path) -> None:
        settings = _settings(tmp_path, secret_key="x").model_copy(update={"env": "prod", "secret_key": ""})
        with pytest.raises(InvalidDataError, match="TECHBRIDGE_SECRET_KEY"):
            signing_key(settings)


class TestSettingsForServing:
    def test_loopback_in_development_gets_the_generated_key(self, tmp_path: Path) -> None:
        served = settings_for_serving(_settings(tmp_path), host="127.0.0.1")
        assert served.secret_key == (tmp_path / "var" / "secret_key").read_text().strip()

    def test_public_bind_without_a_key_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InvalidDataError, match=r"--host 0\.0\.0\.0"):
            settings_for_serving(_settings(tmp_path), host="0.0.0.0")
        assert not (tmp_path / "var" / "secret_key").exists()

    def test_public_bind_with_a_key_is_allowed(self, tmp_path: Path) -> None:
        settings = _settings(tmp_path, secret_key="from-the-vault")
        assert settings_for_serving(settings, host="0.0.0.0").secret_key == "from-the-vault"

    def test_serve_command_refuses_before_listening(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"], obj=_settings(tmp_path))
        assert isinstance(result.exception, InvalidDataError)
        assert "TECHBRIDGE_SECRET_KEY" in str(result.exception)


class TestCookies:
    def _session_cookie(self, client: TestClient) -> str:
        client.get("/login")
        value = client.cookies.get("techbridge_session")
        assert value is not None
        return value

    @pytest.mark.parametrize("configured", ["", DEV_SECRET])
    def test_app_never_signs_with_the_public_default(self, tmp_path: Path, configured: str) -> None:
        client = TestClient(create_app(_settings(tmp_path, secret_key=configured)))
        cookie = self._session_cookie(client)
        with pytest.raises(BadSignature):
            TimestampSigner(DEV_SECRET).unsign(cookie.encode())

    def test_session_cookie_is_httponly_and_lax(self, tmp_path: Path) -> None:
        client = TestClient(create_app(_settings(tmp_path, secret_key="k")))
        header = client.get("/login").headers["set-cookie"].lower()
        assert "httponly" in header
        assert "samesite=lax" in header
        assert "secure" not in header.replace("httponly", "")

    def test_cookies_are_secure_behind_tls(self, tmp_path: Path) -> None:
        client = TestClient(create_app(_settings(tmp_path, secret_key="k", cookie_secure=True)), base_url="https://t")
        assert "secure" in client.get("/login").headers["set-cookie"].lower()
        lang = client.get("/lang/en", follow_redirects=False).headers["set-cookie"].lower()
        assert "secure" in lang
        assert "httponly" in lang
