"""`make bench`: every benchmark in turn, each writing its section of docs/benchmarks.md.

The chain benchmark needs a registry holding the real imports, so one scratch database is migrated and loaded
first (`techbridge import all`); the others build their own data. Everything runs niced; expect hours on two
cores (the 1M-row benchmarks dominate).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("TECHBRIDGE_BENCH_DIR", "/tmp/tb-bench"))
# (module, its arguments): those given --write write their own section; the others print their tables for the
# section by hand. portal_needs runs after retrieval, whose vector cache lets it embed the registry in seconds.
MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bench.imports", ("--write",)),
    ("bench.chains", ("--write",)),
    ("bench.tiers_batch", ("--write",)),
    ("bench.metrics", ()),
    ("bench.pages", ()),
    ("bench.retrieval", ("--write",)),
    ("bench.portal_needs", ("--embed", "--write")),
    ("bench.expert_evidence", ("--write",)),
    ("bench.adopters", ("--write",)),
    ("bench.query_cost", ("--write",)),
    ("bench.search_speed", ("--write",)),
    ("bench.embed_writes", ("--write",)),
)


def run(args: list[str], env: dict[str, str]) -> None:
    """One niced child process; a failure stops the run."""
    print("$", " ".join(args), flush=True)
    subprocess.run(["nice", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    """Load the scratch registry, then run each benchmark with --write."""
    WORK.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["TECHBRIDGE_DATABASE_URL"] = f"sqlite:///{WORK / 'registry.db'}"
    env["TECHBRIDGE_VAR_DIR"] = str(WORK / "var")
    cli = [sys.executable, "-m", "techbridge"]
    run([*cli, "db", "upgrade"], env)
    run([*cli, "import", "all"], env)
    run([sys.executable, "-m", "bench.needs_set", "corpus"], env)
    for module, args in MODULES:
        run([sys.executable, "-m", module, *args], env)


if __name__ == "__main__":
    main()
