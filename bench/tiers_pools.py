"""Benchmark: officers' candidate pools on a loaded registry — stored pools read vs evaluated per request.

    nice .venv/bin/python -m bench.tiers_pools --database-url sqlite:///var/scratch.db --facts 6000 [--write]

1. On a registry loaded by `techbridge demo load` (scratch DB), give `--facts` enterprises (listed companies first)
   synthetic stored facts (`bench.tiers_batch.synthetic_enterprise`, source "bench: synthetic") once, so verdicts
   mix eligible, near-miss, ineligible and unknown; the rest keep no facts (unknown everywhere).
2. Baseline in the same run: the per-request evaluation the API did before (`policies.service.build_pools` over
   every enterprise × policy, then JSON), timed `--baseline-repeat` times.
3. The pool refresh job from empty (every enterprise) and after one fact change (one enterprise).
4. In-process requests (FastAPI TestClient, signed in as an officer) to the stored-pool API, page and XLSX export,
   medians of `--repeat` after one warm-up. `--write` replaces the `## Tier pools` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, insert, select

from bench.report import write_section
from bench.tiers_batch import synthetic_enterprise
from techbridge.access import SYSTEM
from techbridge.accounts.queries import get_user_by_username
from techbridge.accounts.service import create_user
from techbridge.config import get_settings
from techbridge.db import session_scope
from techbridge.jobs.pools import refresh_pools
from techbridge.models import EnterpriseFact, Organization, OrgKind, Role, TierPoolEntry, TierPoolState
from techbridge.policies.service import build_pools, save_fact
from techbridge.web.app import create_app

SECTION = "## Tier pools"
SOURCE = "bench: synthetic"
OFFICER = ("bench-officer", "bench-password-1")


def add_synthetic_facts(url: str, count: int) -> int:
    """Synthetic facts for `count` enterprises without facts (listed companies first); returns how many got some."""
    rng = random.Random(20261203)
    with session_scope(url) as session:
        if session.scalar(select(func.count()).select_from(EnterpriseFact)):
            return int(session.scalar(select(func.count(func.distinct(EnterpriseFact.organization_id)))) or 0)
        stmt = select(Organization.id).where(Organization.kind == OrgKind.ENTERPRISE)
        ids = list(session.scalars(stmt.order_by(Organization.listing_code.is_(None), Organization.id).limit(count)))
        rows = []
        for index, org_id in enumerate(ids):
            facts = synthetic_enterprise(rng, index)["facts"]
            rows += [
                {"organization_id": org_id, "fact": f, "value": json.loads(json.dumps(v)), "source": SOURCE}
                for f, v in facts.items()
            ]
        session.execute(insert(EnterpriseFact), [{**r, "entered_by": "bench"} for r in rows])
    return len(ids)


def timed(call: Callable[[], Any], repeat: int, cpu: list[float] | None = None) -> tuple[list[float], Any]:
    """Wall seconds of `repeat` calls (CPU seconds of this process appended to `cpu`) and the last result."""
    runs, result = [], None
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        result = call()
        runs.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - used)
    return runs, result


def signed_in_client(url: str) -> TestClient:
    """A TestClient signed in as the bench officer (created once)."""
    with session_scope(url) as session:
        if get_user_by_username(session, OFFICER[0]) is None:
            create_user(session=session, username=OFFICER[0], password=OFFICER[1], role=Role.OFFICER)
    get_settings.cache_clear()
    client = TestClient(create_app(get_settings()))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    data = {"username": OFFICER[0], "password": OFFICER[1], "csrf_token": token.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def baseline(url: str, repeat: int) -> tuple[list[float], float, int]:
    """The per-request evaluation of every enterprise × policy (the former API body); seconds and JSON bytes."""

    def run() -> int:
        with session_scope(url) as session:
            return len(json.dumps(build_pools(session=session, as_of=date.today()), ensure_ascii=False).encode())

    cpu: list[float] = []
    runs, size = timed(run, repeat, cpu)
    return runs, statistics.median(cpu), int(size)


def refresh_figures(url: str) -> dict[str, float]:
    """Seconds of a refresh from empty and of one after one enterprise's fact changed."""
    with session_scope(url) as session:
        session.execute(delete(TierPoolEntry))
        session.execute(delete(TierPoolState))
    started = time.perf_counter()
    full = refresh_pools(url, as_of=date.today())
    cold = time.perf_counter() - started
    with session_scope(url) as session:
        org_id = session.scalar(select(EnterpriseFact.organization_id).limit(1))
        assert org_id is not None
        save_fact(session=session, viewer=SYSTEM, organization_id=org_id, fact="ip_class2", value=7)
    started = time.perf_counter()
    one = refresh_pools(url)
    return {"cold": cold, "enterprises": full.enterprises, "one": time.perf_counter() - started, "n1": one.enterprises}


REQUESTS = (
    ("API: all policies, page 1", "/api/tiers/pools"),
    ("API: hnte eligible, by score", "/api/tiers/pools?policy=hnte&verdict=eligible&sort=score"),
    ("API: Liaoning (21), tech_sme near-misses", "/api/tiers/pools?policy=tech_sme&verdict=near_miss&city=21"),
    ("API: all policies, page 200", "/api/tiers/pools?page=200"),
    ("page /tiers/pools", "/tiers/pools"),
    ("page /tiers/pools?policy=hnte&city=2101", "/tiers/pools?policy=hnte&city=2101"),
    ("XLSX export, hnte (every enterprise)", "/tiers/pools.xlsx?policy=hnte"),
)


def _getter(client: TestClient, path: str) -> Callable[[], Any]:
    return lambda: client.get(path)


def request_figures(client: TestClient, repeat: int) -> list[tuple[str, list[float], float, int]]:
    """(label, wall runs, median CPU seconds, response bytes) per request, after one warm-up each."""
    rows = []
    for label, path in REQUESTS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
        cpu: list[float] = []
        runs, last = timed(_getter(client, path), repeat, cpu)
        rows.append((label, runs, statistics.median(cpu), len(last.content)))
    return rows


def report(args: argparse.Namespace, figures: dict[str, Any]) -> str:
    """The markdown section."""
    base_runs, base_cpu, base_size = figures["baseline"]
    base = statistics.median(base_runs)
    refresh = figures["refresh"]
    lines = [
        SECTION,
        "",
        f"`nice .venv/bin/python -m bench.tiers_pools --facts {args.facts} --repeat {args.repeat}"
        f" --baseline-repeat {args.baseline_repeat}{' --write' if args.write else ''}` on the registry of"
        f" `techbridge demo load` ({figures['enterprises']:,} enterprises, {figures['with_facts']:,} of them with"
        f" synthetic stored facts; 9 policies; SQLite; Python {platform.python_version()}, {os.cpu_count()} cores"
        f" shared with other jobs, load average {os.getloadavg()[0]:.1f} at the end). In-process requests"
        " (TestClient: routing, queries, templates; no network), signed in as an officer.",
        "",
        "| request | median wall | median CPU | wall runs (s) | response | wall vs baseline |",
        "|---|---|---|---|---|---|",
        f"| baseline: evaluate every enterprise × policy per request, as the API did (JSON) | {base:.1f} s"
        f" | {base_cpu:.1f} s | {', '.join(f'{x:.1f}' for x in base_runs)} | {base_size / 1e6:.1f} MB | ×1 |",
    ]
    for label, runs, cpu, size in figures["requests"]:
        median = statistics.median(runs)
        lines.append(
            f"| {label} | {median * 1000:.0f} ms | {cpu * 1000:.0f} ms | {', '.join(f'{x:.3f}' for x in runs)}"
            f" | {size / 1e3:.0f} kB | ×{base / median:.0f} faster |"
        )
    lines += [
        "",
        f"Pool refresh (`techbridge tiers pools refresh`): {refresh['cold']:.1f} s for all {refresh['enterprises']:,}"
        f" enterprises from empty (identical fact sets evaluated once); {refresh['one'] * 1000:.0f} ms after one"
        f" enterprise's fact changed ({refresh['n1']} enterprise re-evaluated).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse options, prepare the registry, measure, print and optionally write."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: TECHBRIDGE_DATABASE_URL")
    parser.add_argument("--facts", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-repeat", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.database_url:
        os.environ["TECHBRIDGE_DATABASE_URL"] = args.database_url
    get_settings.cache_clear()
    url = get_settings().database_url
    figures: dict[str, Any] = {"with_facts": add_synthetic_facts(url, args.facts)}
    with session_scope(url) as session:
        stmt = select(func.count()).select_from(Organization).where(Organization.kind == OrgKind.ENTERPRISE)
        figures["enterprises"] = session.scalar(stmt)
    figures["refresh"] = refresh_figures(url)
    figures["requests"] = request_figures(signed_in_client(url), args.repeat)
    figures["baseline"] = baseline(url, args.baseline_repeat)
    text = report(args, figures)
    sys.stdout.write(text)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
