"""The load benchmark's rounds: the measuring order and how the rounds become one row."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bench.load import EMBEDDING, THIS, schedule, store_env, summarize


def run(rps: float, p99: float = 500_000.0, *, errors: int = 0, timeouts: int = 0) -> dict[str, float]:
    return {
        "rps": rps,
        "p50": p99 / 2,
        "p95": p99 * 0.9,
        "p99": p99,
        "connect": 0,
        "read": errors,
        "write": 0,
        "status": 0,
        "timeout": timeouts,
    }


def test_the_ratio_is_the_median_of_ratios_within_rounds_not_of_medians() -> None:
    # the machine's load drifts between rounds: round 2 ran slow for both codes
    this = [{"/": run(200)}, {"/": run(90)}, {"/": run(210)}]
    base = [{"/": run(100)}, {"/": run(30)}, {"/": run(100)}]
    row = summarize(this, base, "/")
    assert row["ratio"] == 2.1  # per round 2.0, 3.0, 2.1; the ratio of medians would be 2.0
    assert row["rps"] == 200
    assert (row["rps_min"], row["rps_max"]) == (90, 210)
    assert row["rounds"] == 3


def test_latencies_are_medians_the_worst_round_is_kept_and_failures_summed() -> None:
    rounds = [
        {"/": run(100, 400_000, errors=1)},
        {"/": run(100, 2_000_000, timeouts=2)},
        {"/": run(100, 600_000)},
    ]
    row = summarize(rounds, rounds, "/")
    assert row["p99"] == 600_000
    assert row["p99_max"] == 2_000_000
    assert (row["errors"], row["timeouts"]) == (1, 2)
    assert row["ratio"] == 1.0


def test_every_configuration_is_measured_once_a_round_and_the_codes_alternate() -> None:
    args = argparse.Namespace(repeat=2, workers=2, embedder=True)
    envs: dict[str, dict[str, dict[str, str]]] = {
        "old": {"SQLite": {}},
        THIS: {"SQLite": {}, EMBEDDING: {}, "PostgreSQL": {}},
    }
    order = list(schedule(["old", THIS], envs, args))
    first = [config for number, config in order if number == 0]
    second = [config for number, config in order if number == 1]
    assert first == [
        ("old", "SQLite", 1, False),
        (THIS, "SQLite", 1, False),
        ("old", "SQLite", 2, False),
        (THIS, "SQLite", 2, False),
        (THIS, "SQLite", 2, True),
        (THIS, "PostgreSQL", 1, False),
        (THIS, "PostgreSQL", 2, False),
    ]
    assert sorted(second) == sorted(first)
    assert second[:2] == [(THIS, "SQLite", 1, False), ("old", "SQLite", 1, False)]


def test_the_baseline_runs_without_the_packages_it_did_not_have(tmp_path: Path) -> None:
    env = store_env(tmp_path, "sqlite://", tmp_path, src=tmp_path / "src", hide=["httptools", "json"])
    probe = "try:\n    import json\nexcept ImportError:\n    print('hidden')"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "hidden"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path / "src")  # its own code still comes first
    plain = store_env(tmp_path, "sqlite://", tmp_path, src=tmp_path / "src")
    assert plain["PYTHONPATH"] == str(tmp_path / "src")
