"""Settings: defaults run locally; production refuses the default secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from techbridge.config import DEV_SECRET, Settings


class TestSettings:
    def test_defaults_use_a_local_sqlite_file(self) -> None:
        settings = Settings()
        assert settings.database_url.startswith("sqlite:///")
        assert settings.index_dir == settings.var_dir / "index"

    def test_prod_refuses_the_default_secret(self) -> None:
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            Settings(env="prod", secret_key=DEV_SECRET)

    def test_prod_refuses_a_missing_secret(self) -> None:
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            Settings(env="prod")

    def test_prod_accepts_a_real_secret(self) -> None:
        assert Settings(env="prod", secret_key="s3cr3t-from-the-vault").env == "prod"

    def test_environment_variables_override_defaults(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TECHBRIDGE_REGION_CODE", "2101")
        assert Settings().region_code == "2101"
