"""Portal page latency: list and detail pages with the real data loaded, then with 1M achievements.

    nice .venv/bin/python -m bench.pages [--work /tmp/tb-bench-pages] [--target 1000000] [--repeats 40]

1. `techbridge import all` into a fresh SQLite file (the real data under settings.data_dir).
2. Time every page in-process (FastAPI TestClient: routing, queries, Jinja; no network) as an anonymous viewer,
   p50/p95 over `--repeats` requests after warm-up.
3. Bulk-insert synthetic achievements derived from the real titles (SQLAlchemy Core, one transaction) until the
   table holds `--target` rows, about 30% of them held by real enterprises, and time the pages again.
4. Both after ANALYZE. Baseline in the same run: drop the 0005 list indexes and count exactly (COUNT(*) of
   every match) instead of the capped count, and time the same pages.
Prints a Markdown table (the `## Portal pages` section of docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from techbridge.config import Settings, get_settings
from techbridge.db import dispose_engines, get_engine, session_scope
from techbridge.models import Achievement, AchievementOwner, Organization, OrgKind, Region
from techbridge.registry import count_queries, list_queries
from techbridge.schema import upgrade_schema
from techbridge.web.app import create_app

LIST_INDEXES = [  # migration 0005, dropped for the baseline
    "ix_achievements_kind_visibility_year",
    "ix_achievements_visibility_year",
    "ix_achievements_visibility_title",
    "ix_achievements_visibility_trl",
    "ix_achievements_visibility_region_code",
    "ix_organizations_kind_visibility_name",
    "ix_organizations_kind_visibility_founded_on",
    "ix_demands_visibility_deadline",
]
CHUNK = 20_000
SUFFIXES = ["", "的改进方法", "及其制备方法", "系统及装置", "的应用", "优化技术", "在线监测方法", "控制策略"]


def run_import(url: str, data_dir: Path) -> float:
    """`techbridge import all` into `url`; wall seconds."""
    env = {**os.environ, "TECHBRIDGE_DATABASE_URL": url, "TECHBRIDGE_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    exe = Path(sys.executable).parent / "techbridge"
    subprocess.run([str(exe), "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(exe), "import", "all"], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def pick_ids(session: Session) -> dict[str, Any]:
    """Representative detail pages: the enterprise holding most achievements, one achievement, one institution."""
    top = session.execute(
        select(AchievementOwner.organization_id, func.count())
        .join(Organization, Organization.id == AchievementOwner.organization_id)
        .where(Organization.kind == OrgKind.ENTERPRISE, Organization.visibility == "public")
        .group_by(AchievementOwner.organization_id)
        .order_by(func.count().desc())
        .limit(1)
    ).first()
    achievement = session.scalar(select(Achievement.id).where(Achievement.visibility == "public").limit(1))
    institution = session.scalar(select(Organization.id).where(Organization.kind == OrgKind.UNIVERSITY).limit(1))
    return {"enterprise": top[0] if top else None, "achievement": achievement, "institution": institution}


def page_urls(ids: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, url) of the pages timed."""
    urls = [
        ("home (counts + recent)", "/"),
        ("enterprises list", "/enterprises"),
        ("enterprises, Liaoning, by founding date", "/enterprises?region=21&sort=-founded"),
        ("achievements list (newest)", "/achievements"),
        ("achievements by year", "/achievements?sort=-year"),
        ("achievements kind=paper by year", "/achievements?kind=paper&sort=-year"),
        ("achievements in Liaoning (region=21)", "/achievements?region=21"),
        ("achievements in Shenyang by year", "/achievements?region=2101&sort=-year"),
        ("achievements by title", "/achievements?sort=title"),
        ("achievements page 200", "/achievements?page=200"),
        ("achievements HTMX table partial", "/achievements?sort=-year&page=2"),
        ("achievements keyword 电池 (common)", "/achievements?q=电池"),
        ("achievements keyword 石墨烯 (rarer)", "/achievements?q=石墨烯"),
        ("institutions list", "/institutions"),
    ]
    if ids["enterprise"]:
        urls.append(("enterprise detail (most achievements)", f"/enterprises/{ids['enterprise']}"))
    if ids["achievement"]:
        urls.append(("achievement detail", f"/achievements/{ids['achievement']}"))
    if ids["institution"]:
        urls.append(("institution detail", f"/institutions/{ids['institution']}"))
    return urls


Timing = tuple[float, float, float]


def time_pages(settings: Settings, urls: list[tuple[str, str]], repeats: int) -> dict[str, Timing]:
    """Wall p50 and p95 milliseconds per page, and the median CPU milliseconds (all threads of the process)."""
    client = TestClient(create_app(settings))
    results = {}
    for label, url in urls:
        headers = {"HX-Request": "true"} if "HTMX" in label else {}
        for _ in range(3):
            assert client.get(url, headers=headers).status_code == 200, url
        samples, cpu = [], []
        for _ in range(repeats):
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        samples.sort()
        p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
        results[label] = (statistics.median(samples), p95, statistics.median(cpu))
    return results


def synthetic_rows(titles: list[str], cities: list[str], count: int, start: int) -> Iterator[dict[str, Any]]:
    """Achievements derived from real titles: title + technical suffix, realistic kinds, years, TRL, regions."""
    rng = random.Random(start)
    kinds = ["patent"] * 6 + ["paper"] * 3 + ["technology"]
    for n in range(count):
        roll = rng.random()
        visibility = "public" if roll < 0.95 else "registered" if roll < 0.99 else "owner"
        yield {
            "kind": rng.choice(kinds),
            "title": f"{rng.choice(titles)}{rng.choice(SUFFIXES)}",
            "abstract": "",
            "keywords": [],
            "ipc_codes": [],
            "field_tags": [],
            "transfer_modes": [],
            "trl": rng.randint(1, 9) if rng.random() < 0.5 else None,
            "year": rng.randint(1995, 2025),
            "region_code": rng.choice(cities) if cities and rng.random() < 0.4 else None,
            "visibility": visibility,
            "source_dataset": "bench_synthetic",
            "source_key": str(start + n),
        }


def inflate(url: str, target: int) -> tuple[int, float]:
    """Bulk-insert synthetic achievements (and owner links to real enterprises) up to `target`; rows, seconds."""
    started = time.perf_counter()
    with session_scope(url) as session:
        existing = int(session.scalar(select(func.count()).select_from(Achievement)) or 0)
        titles = list(session.scalars(select(Achievement.title).limit(50_000))) or ["一种锂离子电池正极材料"]
        cities = list(session.scalars(select(Region.code).where(Region.parent_code == "21")))
        enterprises = list(session.scalars(select(Organization.id).where(Organization.kind == OrgKind.ENTERPRISE)))
        max_id = int(session.scalar(select(func.max(Achievement.id))) or 0)
    missing = max(0, target - existing)
    rng = random.Random(7)
    engine = get_engine(url)
    with engine.begin() as conn:
        for offset in range(0, missing, CHUNK):
            size = min(CHUNK, missing - offset)
            conn.execute(insert(Achievement.__table__), list(synthetic_rows(titles, cities, size, offset)))
            if enterprises:
                first = max_id + offset + 1
                links = [
                    {"achievement_id": first + i, "organization_id": rng.choice(enterprises), "role": "owner"}
                    for i in range(size)
                    if rng.random() < 0.3
                ]
                conn.execute(insert(AchievementOwner.__table__), links)
        conn.execute(text("ANALYZE"))
    return missing, time.perf_counter() - started


def drop_list_indexes(url: str) -> None:
    """Baseline: the schema without migration 0005."""
    with get_engine(url).begin() as conn:
        for name in LIST_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        conn.execute(text("ANALYZE"))


def measure_both(settings: Settings, repeats: int) -> tuple[dict[str, Timing], dict[str, Timing]]:
    """Optimized (indexes + capped count), then baseline (no 0005 indexes + exact count) on a copy.

    Both run after ANALYZE (SQLite's planner statistics), as `PRAGMA optimize` would leave a deployed database.
    """
    with get_engine(settings.database_url).begin() as conn:
        conn.execute(text("ANALYZE"))
    with session_scope(settings.database_url) as session:
        urls = page_urls(pick_ids(session))
    optimized = time_pages(settings, urls, repeats)
    with get_engine(settings.database_url).connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # the copy below must hold every row
    dispose_engines()
    base_path = Path(settings.database_url.removeprefix("sqlite:///") + ".baseline")
    shutil.copyfile(settings.database_url.removeprefix("sqlite:///"), base_path)
    base_settings = settings.model_copy(update={"database_url": f"sqlite:///{base_path}"})
    drop_list_indexes(base_settings.database_url)
    cap, ttl = list_queries.COUNT_CAP, count_queries.COUNTS_TTL_SECONDS
    list_queries.COUNT_CAP, count_queries.COUNTS_TTL_SECONDS = None, 0.0
    try:
        baseline = time_pages(base_settings, urls, repeats)
    finally:
        list_queries.COUNT_CAP, count_queries.COUNTS_TTL_SECONDS = cap, ttl
    dispose_engines()
    base_path.unlink()
    return optimized, baseline


def table(title: str, optimized: dict[str, Timing], baseline: dict[str, Timing]) -> str:
    """Markdown rows: page, optimized p50/p95/CPU, baseline p50/p95/CPU."""
    lines = [
        f"**{title}**",
        "",
        "| page | p50 ms | p95 ms | CPU ms | baseline p50 | baseline p95 | baseline CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, (p50, p95, cpu) in optimized.items():
        b50, b95, bcpu = baseline[label]
        lines.append(f"| {label} | {p50:.1f} | {p95:.1f} | {cpu:.1f} | {b50:.1f} | {b95:.1f} | {bcpu:.1f} |")
    return "\n".join(lines)


def counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return count_queries.count_entities(session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tb-bench-pages"))
    parser.add_argument("--target", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="time the database --work already holds, as it is")
    args = parser.parse_args()
    data_dir = get_settings().data_dir.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    db = args.work / "pages.db"
    if args.reuse:
        settings = Settings(
            database_url=f"sqlite:///{db}", data_dir=data_dir, var_dir=args.work / "var", secret_key="b"
        )
        print(
            table(
                f"{counts(settings.database_url)['achievement']:,} achievements", *measure_both(settings, args.repeats)
            )
        )
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    import_s = run_import(url, data_dir)
    upgrade_schema(url)
    settings = Settings(database_url=url, data_dir=data_dir, var_dir=args.work / "var", secret_key="bench")
    real_counts = counts(url)
    print(f"import all: {import_s:.1f} s; counts {real_counts}", flush=True)
    real = measure_both(settings, args.repeats)
    print(table(f"Real data ({real_counts['achievement']:,} achievements)", *real), flush=True)
    inserted, inflate_s = inflate(url, args.target)
    print(f"\ninserted {inserted:,} synthetic achievements in {inflate_s:.1f} s", flush=True)
    big = measure_both(settings, args.repeats)
    print(table(f"{counts(url)['achievement']:,} achievements", *big), flush=True)


if __name__ == "__main__":
    main()
