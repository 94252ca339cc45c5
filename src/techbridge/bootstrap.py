"""What `make run` loads into a fresh install: the shared data, demo accounts, labelled demo contracts, indexes.

Every step is idempotent, so `make run` can be repeated: sources already imported are skipped (unless asked),
accounts that exist keep their passwords, the demo contracts are generated once and never over real contracts.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.accounts.queries import get_user_by_username
from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import ImportRun, Organization, OrgKind, Role

DEMO_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (
    ("admin", Role.ADMIN, "系统管理员"),
    ("officer", Role.OFFICER, "省科技厅（演示）"),
    ("broker", Role.BROKER, "技术经理人（演示）"),
    ("enterprise", Role.ENTERPRISE, "企业用户（演示）"),
    ("institution", Role.INSTITUTION, "高校用户（演示）"),
)
ACCOUNT_ORGS = {Role.ENTERPRISE: (OrgKind.ENTERPRISE, "21"), Role.INSTITUTION: (OrgKind.UNIVERSITY, "21")}


@dataclass
class BootstrapReport:
    """What one bootstrap run did, line by line."""

    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        """Record one step."""
        self.lines.append(line)


def imported_sources(session: Session) -> set[str]:
    """Sources with a committed import run."""
    return set(session.scalars(select(ImportRun.source).distinct()))


def load_shared_data(settings: Settings, report: BootstrapReport, *, reimport: bool = False) -> None:
    """Import every source under data_dir (or, when that folder is absent, the bundled sample) not imported yet."""
    from techbridge.imports.sample import DataOrigin, effective_data_dir
    from techbridge.imports.service import import_all

    data_dir, origin = effective_data_dir(settings.data_dir)
    if origin is DataOrigin.SAMPLE:
        report.say(f"data: {settings.data_dir} not found, loading the bundled sample ({data_dir}, see NOTICE.md)")
        settings = settings.model_copy(update={"data_dir": data_dir})
    done: frozenset[str] = frozenset()
    if not reimport:
        with session_scope(settings.database_url) as session:
            done = frozenset(imported_sources(session))
    for name in sorted(done):
        report.say(f"data: {name} already imported")
    for summary in import_all(settings, skip=done):
        report.say(f"data: {summary.source} imported ({summary})")


def _first_org_id(session: Session, kind: OrgKind, province: str) -> int | None:
    stmt = (
        select(Organization.id)
        .where(Organization.kind == kind, Organization.province_code == province)
        .order_by(Organization.id)
        .limit(1)
    )
    return session.scalar(stmt)


def ensure_demo_accounts(settings: Settings, report: BootstrapReport) -> Path | None:
    """Create the demo accounts with random passwords written to var/demo-accounts.txt (dev only)."""
    if settings.env != "dev":
        report.say("accounts: not in dev, no demo accounts")
        return None
    path = settings.var_dir / "demo-accounts.txt"
    created: list[str] = []
    with session_scope(settings.database_url) as session:
        for username, role, display in DEMO_ACCOUNTS:
            if get_user_by_username(session, username) is not None:
                continue
            password = secrets.token_urlsafe(12)
            org_kind = ACCOUNT_ORGS.get(role)
            org_id = _first_org_id(session, *org_kind) if org_kind else None
            create_user(
                session=session,
                username=username,
                password=password,
                role=role,
                display_name=display,
                organization_id=org_id,
            )
            created.append(f"{username}\t{password}\t{role}")
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write("\n".join(created) + "\n")
        os.chmod(path, 0o600)
    report.say(f"accounts: {len(created)} created; passwords in {path}")
    return path


def load_demo_contracts(settings: Settings, report: BootstrapReport) -> None:
    """The labelled demonstration contracts and cases (演示数据), only when the registry has no real ones."""
    from techbridge.transfers.demo import load_demo

    if not settings.demo_data:
        report.say("demo: disabled (TECHBRIDGE_DEMO_DATA=false)")
        return
    with session_scope(settings.database_url) as session:
        created = load_demo(session=session)
    report.say(f"demo: {created} demonstration contracts (演示数据)")


def _is_older(built_at: str, latest_import: datetime | None) -> bool:
    if latest_import is None:
        return False
    if latest_import.tzinfo is None:
        latest_import = latest_import.replace(tzinfo=UTC)
    return datetime.fromisoformat(built_at) < latest_import


def build_search_index(settings: Settings, report: BootstrapReport) -> None:
    """Build the lexical index when none exists, it holds an older token format, or the registry changed since
    (vectors follow in the background)."""
    from techbridge.matching.build import is_current_format, rebuild_lexical
    from techbridge.search.index import current_version

    info = current_version(settings.index_dir, "lexical")
    with session_scope(settings.database_url) as session:
        latest_import = session.scalar(select(func.max(ImportRun.finished_at)))
        if info is not None and is_current_format(info) and not _is_older(info.built_at, latest_import):
            report.say(f"search: lexical index {info.version} is current")
            return
        version, count = rebuild_lexical(session, settings)
    report.say(f"search: lexical index {version} built over {count:,} records")


def refresh_tier_pools(settings: Settings, report: BootstrapReport) -> None:
    """Store the tier candidate pools as of today: only enterprises new, changed or of an older date are evaluated."""
    from datetime import date

    from techbridge.jobs.pools import refresh_pools

    done = refresh_pools(settings.database_url, as_of=date.today())
    report.say(f"tiers: pools refreshed for {done.enterprises:,} enterprises as of {done.as_of}")


# the steps after the shared data, in order
STEPS: tuple[Callable[[Settings, BootstrapReport], object], ...] = (
    ensure_demo_accounts,
    load_demo_contracts,
    build_search_index,
    refresh_tier_pools,
)


def bootstrap(settings: Settings, *, reimport: bool = False) -> BootstrapReport:
    """Load the shared data (again for every source when `reimport`), then run every other step in order."""
    report = BootstrapReport()
    load_shared_data(settings, report, reimport=reimport)
    for step in STEPS:
        step(settings, report)
    return report
