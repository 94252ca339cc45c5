"""Load benchmark: the portal under 50 concurrent connections, 1 worker vs N workers, SQLite vs PostgreSQL.

    scripts/with-postgres nice .venv/bin/python -m bench.load --write

1. Per store, a registry loaded as `make run` loads it (`techbridge db upgrade` + `techbridge demo load`: the
   shared data, demo accounts and contracts, the lexical index; no embedding) into `--work` (kept between runs,
   so a second run only migrates). PostgreSQL: a database `bench_load` on the server of `--pg-url` /
   TECHBRIDGE_TEST_DATABASE_URL (as scripts/with-postgres exports it); without either, SQLite only.
2. Per store and worker count, `techbridge serve --workers W` on a free loopback port, every page requested with
   8 × W concurrent requests twice to warm every worker (first uses build per-process caches), then Debian's
   `wrk` (C, 2 threads; `bench/wrk/load.lua`) for `--duration` seconds at `--connections`
   on: the home page, the achievements list, `/match` with varied needs (`bench/wrk/needs.txt`, round-robin) and
   the chain list. Timeout per request `--timeout` s; every run is bounded by wrk's duration and the server is
   stopped afterwards whatever happens.
3. req/s, p50/p95/p99 and errors (connect/read/write/non-2xx) and timeouts per run; the 1-worker SQLite row is
   the baseline of the same run, and the issue's figures of the old code are quoted beside it.

Same-run baseline of older code: `--baseline-src /tmp/base/src` (the `src` folder of a checkout of the baseline
commit, `git worktree add /tmp/base c2b91a3`) serves that code too, from this virtualenv with PYTHONPATH pointing at
it (the locked requirements are the same, except the packages this work added, which `--baseline-hide` makes
unimportable for the baseline's processes: by default httptools and uvloop, so it is served by h11 and asyncio as
it was), on its own copy of the registry, migrated by its own code; every row of
this code is then compared with the baseline row of the same store and workers. `--registry DB --registry-var DIR`
copies a loaded registry (the real-data database and its var folder) instead of loading one into SQLite;
with a baseline, load it with the baseline's code (or older), since each code must be able to migrate its copy
(PostgreSQL is always loaded by `demo load`); each code then rebuilds the copy's lexical index with its own
`techbridge search build --no-embed`, so it searches the tokens it writes. `--embedder` adds a
row of this code on N workers with `techbridge search embed` running beside the server from warm-up to the end
(the background embedder must not starve the web workers), on a copy of its own (stored vectors make `/match`
hybrid, which the other rows must not inherit).
The load generator shares the 2 cores with the server, and the machine with other engineers, so one run proves
little: every configuration is measured `--repeat` times (default 3), the rounds interleaved (each round measures
every configuration once, the baseline and this code back to back on each worker count, their order alternating
from round to round), and the table gives the median of the rounds, the range of req/s, the sums of errors and
timeouts, and the median of the per-round ratios to the reference row (each a pair measured minutes apart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.report import write_section

SECTION = "## Load"
HERE = Path(__file__).resolve().parent
WRK_SCRIPT = HERE / "wrk" / "load.lua"
NEEDS = HERE / "wrk" / "needs.txt"
PAGES = {"home": "/", "achievements list": "/achievements", "/match (varied needs)": "/match", "/chains": "/chains"}
BEFORE = {  # issue 10, 1 worker on SQLite at 50 connections, quiet machine, before this work
    "home": "253 req/s, p99 529 ms",
    "achievements list": "103 req/s, p99 1.15 s",
    "/match (varied needs)": "79 req/s, p50 596 ms",
    "/chains": "35 req/s, p99 2.8 s",
}
GOALS = "0 errors and 0 timeouts at 50 connections, `/match` and list pages ≥ 2× the figures before, no p99 > 1 s"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "techbridge", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def store_env(
    work: Path, url: str, data_dir: Path, src: Path | None = None, var: Path | None = None, hide: Sequence[str] = ()
) -> dict[str, str]:
    """Environment of one store's CLI and server processes (of the code under `src` when given, with the
    modules `hide` names made unimportable)."""
    var = var or work / ("var-pg" if url.startswith("postgresql") else "var-sqlite")
    env = {
        **os.environ,
        "TECHBRIDGE_DATABASE_URL": url,
        "TECHBRIDGE_VAR_DIR": str(var),
        "TECHBRIDGE_DATA_DIR": str(data_dir),
        "TECHBRIDGE_SECRET_KEY": "bench-load-secret",
    }
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), *([str(hiding(work, hide))] if hide else [])])
    return env


def hiding(work: Path, modules: Sequence[str]) -> Path:
    """A folder whose modules, put on PYTHONPATH before site-packages, shadow the named installed ones with an
    ImportError: code served from this virtualenv then runs as it did without them (uvicorn falls back to h11 and
    asyncio when httptools and uvloop cannot be imported)."""
    folder = work / "hidden-modules"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for module in modules:
        (folder / f"{module}.py").write_text(f'raise ImportError("{module} is hidden from the baseline")\n')
    return folder


def copy_registry(work: Path, name: str, registry: Path, registry_var: Path | None) -> tuple[str, Path]:
    """A fresh copy of a loaded SQLite registry (and its var folder) under `work`; (URL, var folder)."""
    db, var = work / f"{name}.db", work / f"var-{name}"
    for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)  # a previous run's WAL applied to the fresh copy would corrupt it
    shutil.copyfile(registry, db)
    shutil.rmtree(var, ignore_errors=True)
    if registry_var is not None:
        shutil.copytree(registry_var, var)
    return f"sqlite:///{db}", var


def pg_store(admin_url: str) -> str:
    """URL of the `bench_load` database on the admin URL's server (created when missing)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = 'bench_load'")).scalar() is None:
            conn.execute(text('CREATE DATABASE "bench_load"'))
    admin.dispose()
    return make_url(admin_url).set(database="bench_load").render_as_string(hide_password=False)


def load_store(env: dict[str, str], *, demo: bool = True) -> float:
    """Migrate and load the registry as `make run` does (idempotent; `demo=False`: migrate only); wall seconds."""
    started = time.monotonic()
    _cli(env, "db", "upgrade")
    if demo:
        _cli(env, "demo", "load")
    return time.monotonic() - started


def pg_server(url: str) -> str:
    """The PostgreSQL server in words: version and whether it syncs to disk."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
            fsync = conn.execute(text("SHOW fsync")).scalar()
    finally:
        engine.dispose()
    return f"PostgreSQL {version} (fsync={fsync})"


def is_loaded(env: dict[str, str]) -> bool:
    """Whether the store already holds the registry (a PostgreSQL database kept from an earlier run)."""
    engine = create_engine(env["TECHBRIDGE_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM achievements)")).scalar())
    except Exception:  # no schema yet
        return False
    finally:
        engine.dispose()


def prepare_store(env: dict[str, str], label: str, *, copied: bool) -> None:
    """Migrate a copied registry and rebuild its lexical index with this code (a copied index holds the tokens of
    the code that built it), or load the shared data into an empty store (a loaded one is only migrated)."""
    started = time.monotonic()
    load_store(env, demo=not copied and not is_loaded(env))
    if copied:
        _cli(env, "search", "build", "--no-embed")
    print(f"{label}: {code_of(env)}; ready in {time.monotonic() - started:.0f} s", flush=True)


def code_of(env: dict[str, str]) -> str:
    """Which techbridge the environment runs (its package folder), to check PYTHONPATH took effect."""
    out = subprocess.run(
        [sys.executable, "-c", "import techbridge; print(techbridge.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@contextmanager
def embedding_beside(env: dict[str, str]) -> Iterator[None]:
    """`techbridge search embed` running (at its own lower priority) while the block runs; stopped after it."""
    job = subprocess.Popen(
        [sys.executable, "-m", "techbridge", "search", "embed"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        _stop(job)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Interrupt a child process, and kill it if it has not stopped within a minute."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_ready(base: str, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/", timeout=10.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server at {base} not ready after {seconds:.0f} s")


@contextmanager
def serving(env: dict[str, str], workers: int) -> Iterator[str]:
    """`techbridge serve --workers W` on a free loopback port; yields its base URL; stopped on exit."""
    port = _free_port()
    command = [sys.executable, "-m", "techbridge", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        yield base
    finally:
        _stop(server)


def warm(base: str, workers: int) -> None:
    """Every page under some concurrency until each worker has served it (first uses build per-process caches:
    the chain graph, indexes), so the timed runs measure steady state rather than one worker's cold start."""
    needs = NEEDS.read_text(encoding="utf-8").split()

    def fetch(number: int, path: str) -> None:
        params = {"q": needs[number % len(needs)]} if path == "/match" else None
        httpx.get(base + path, params=params, timeout=300.0)

    with ThreadPoolExecutor(max_workers=8 * workers) as pool:
        for path in PAGES.values():
            for _round in range(2):
                list(pool.map(fetch, range(8 * workers), [path] * (8 * workers)))


def run_wrk(base: str, path: str, args: argparse.Namespace) -> dict[str, float]:
    """One bounded wrk run on `path`; the JSON line of load.lua's `done` plus req/s."""
    extra = [path, str(NEEDS)] if path == "/match" else [path]
    command = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        f"--timeout={args.timeout}s",
        "-s",
        str(WRK_SCRIPT),
        base,
        "--",
        *extra,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=args.duration + 60).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def measure(
    env: dict[str, str], workers: int, args: argparse.Namespace, *, embedder: bool = False
) -> dict[str, dict[str, float]]:
    """Every page under load on one server configuration (with the embedder running beside it when asked)."""
    with serving(env, workers) as base:
        if not embedder:
            warm(base, workers)
            return {label: run_wrk(base, path, args) for label, path in PAGES.items()}
        with embedding_beside(env):
            warm(base, workers)
            return {label: run_wrk(base, path, args) for label, path in PAGES.items()}


def _ms(us: float) -> str:
    return f"{us / 1000:.0f} ms" if us < 1e6 else f"{us / 1e6:.2f} s"


Config = tuple[str, str, int, bool]
"""(code, store, workers, embedder beside) of one measured server."""
THIS = "this branch"
EMBEDDING = "SQLite copy for the embedder row"
Rounds = list[dict[str, dict[str, float]]]
"""One configuration's measurements: per round, per page, load.lua's figures plus req/s."""


def _reference(results: dict[Config, Rounds], config: Config, baseline: str | None) -> Config:
    """The row a configuration is compared with: the baseline code's of the same store and workers, when measured;
    else this code's 1-worker row of the store."""
    code, store, workers, _embedder = config
    if baseline is not None and (baseline, store, workers, False) in results:
        return (baseline, store, workers, False)
    return (code, store, 1, False) if (code, store, 1, False) in results else next(iter(results))


def summarize(rounds: Rounds, reference: Rounds, page: str) -> dict[str, float]:
    """One page of one configuration over its rounds: medians of req/s and latencies, the req/s range, errors and
    timeouts summed, and the median of the per-round ratios to the reference (round i with round i: the two were
    measured minutes apart, so drift of the machine's load between rounds cancels)."""
    runs = [r[page] for r in rounds]
    ratios = [run["rps"] / ref[page]["rps"] for run, ref in zip(runs, reference, strict=False) if ref[page]["rps"] > 0]
    return {
        "rps": statistics.median(run["rps"] for run in runs),
        "rps_min": min(run["rps"] for run in runs),
        "rps_max": max(run["rps"] for run in runs),
        "ratio": statistics.median(ratios) if ratios else 0.0,
        **{q: statistics.median(run[q] for run in runs) for q in ("p50", "p95", "p99")},
        "p99_max": max(run["p99"] for run in runs),
        "errors": sum(run["connect"] + run["read"] + run["write"] + run["status"] for run in runs),
        "timeouts": sum(run["timeout"] for run in runs),
        "rounds": len(runs),
    }


def render(results: dict[Config, Rounds], args: argparse.Namespace, baseline: str | None = None) -> str:
    """The section: one row per code × store × workers × page, medians over the rounds, the same-run ratio and
    the figures before."""
    compared = (
        f"the {baseline} row of the same store and workers (for a store without {baseline} rows: this code's "
        "1-worker row of that store)"
        if baseline
        else "the 1-worker row of the store"
    )
    rounds = max(len(r) for r in results.values())
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()} "
        f"({os.cpu_count()} cores, load average {LOAD_AT_START[0]:.1f} at the "
        f"start and {os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}; wrk 2 threads on the "
        f"same cores, {args.connections} connections, {args.duration} s per page, timeout {args.timeout} s; "
        f"{rounds} interleaved rounds, every configuration measured once per round. Registry: {REGISTRY_NOTE[0]}.",
        f"Command: `nice .venv/bin/python -m bench.load {' '.join(sys.argv[1:])}`. Goals: {GOALS}.",
        f"req/s and latencies are medians over the rounds (req/s range in brackets; “p99 max” the worst round), "
        f"errors and timeouts summed over them; “× ref.” is the median over the rounds of the ratio to {compared}, "
        "measured in the same round.",
        "",
        "| code | store | workers | page | req/s (range) | × ref. | p50 | p95 | p99 | p99 max | errors | timeouts "
        "| before |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for config, measured in results.items():
        code, store, workers, embedder = config
        reference = results[_reference(results, config, baseline)]
        for label in measured[0]:
            r = summarize(measured, reference, label)
            before = BEFORE[label] if (store, workers) == ("SQLite", 1) and code == (baseline or THIS) else ""
            beside = ", embedder beside" if embedder else ""
            lines.append(
                f"| {code} | {store} | {workers}{beside} | {label} | {r['rps']:.0f} ({r['rps_min']:.0f}–"
                f"{r['rps_max']:.0f}) | {r['ratio']:.2f}× | {_ms(r['p50'])} | {_ms(r['p95'])} | {_ms(r['p99'])} | "
                f"{_ms(r['p99_max'])} | {int(r['errors'])} | {int(r['timeouts'])} | {before} |"
            )
    lines += [
        "",
        NOTE
        if baseline is None
        else BASELINE_NOTE.format(baseline=baseline, hidden=" and ".join(args.baseline_hide.split(",")) or "none"),
        "",
    ]
    return "\n".join(lines)


LOAD_AT_START = os.getloadavg()
REGISTRY_NOTE = ["the shared data loaded by `techbridge demo load` (no embedding)"]


NOTE = (
    "“before” is the issue's measurement of the old code (1 worker, SQLite, quiet machine), not re-measured here; "
    "the same-run baseline is the SQLite 1-worker row. Errors are wrk's connect/read/write errors and non-2xx "
    "answers. With SQLite, N workers share one file in WAL mode: reads scale with processes, writes queue on one "
    "lock (busy timeout 10 s), and each worker holds its own caches (vector index, query vectors, counts)."
)


BASELINE_NOTE = (
    "“before” is the issue's measurement of the old code (1 worker, SQLite, quiet machine), quoted on the {baseline} "
    "rows, which re-measure the code before this work in the same run, from a checkout of {baseline} served from this "
    "virtualenv (same locked requirements, with the packages added since, {hidden}, hidden from it, so uvicorn "
    "serves it with h11 and asyncio as before) on its own copy of the registry. Each server is warmed first "
    "(every page under 8 × W concurrent requests twice), so cold-start costs are not in the figures. The embedder "
    "row runs `techbridge search embed` (nice +10, committing per batch) beside the server from warm-up to the end, "
    "on a copy of its own (so the other rows never search vectors it wrote; from its second round on, `/match` there "
    "is hybrid over the vectors embedded so far); the embedder is a separate process competing for the same 2 cores. "
    "Errors are wrk's connect/read/write errors and "
    "non-2xx answers."
)


def prepared_stores(code: str, src: Path | None, args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """Per store, the environment of `code` (a copy of --registry, or the shared data loaded), migrated and
    indexed by that code; PostgreSQL for this code only, when a server is given."""
    envs: dict[str, dict[str, str]] = {}
    hide = [m for m in args.baseline_hide.split(",") if m] if src is not None else []
    if args.registry is not None:
        url, var = copy_registry(args.work, "base" if src else "this", args.registry, args.registry_var)
        REGISTRY_NOTE[0] = (
            f"on SQLite a copy of `{args.registry}` (the real data, migrated by each code's own `db upgrade`, "
            "its lexical index rebuilt by each code's own `search build --no-embed`); "
            "on PostgreSQL the same shared data loaded by `techbridge demo load` (no embedding)"
        )
        envs["SQLite"] = store_env(args.work, url, args.data_dir, src, var, hide)
    else:
        envs["SQLite"] = store_env(args.work, f"sqlite:///{args.work / 'registry.db'}", args.data_dir, src, hide=hide)
    if args.pg_url and src is None:
        envs["PostgreSQL"] = store_env(args.work, pg_store(args.pg_url), args.data_dir)
        REGISTRY_NOTE[0] += f"; server {pg_server(args.pg_url)}, same machine, local socket"
    for store, env in envs.items():
        prepare_store(env, f"{code} {store}", copied=args.registry is not None and store == "SQLite")
    if args.embedder and src is None:
        # the embedder writes vectors, and stored vectors turn /match hybrid: its row gets its own copy, so the
        # rows without it search as the baseline does in every round
        sqlite = envs["SQLite"]
        url, var = copy_registry(
            args.work,
            "embedding",
            Path(make_url(sqlite["TECHBRIDGE_DATABASE_URL"]).database or ""),
            Path(sqlite["TECHBRIDGE_VAR_DIR"]),
        )
        envs[EMBEDDING] = store_env(args.work, url, args.data_dir, src, var)
    return envs


def schedule(
    codes: list[str], envs: dict[str, dict[str, dict[str, str]]], args: argparse.Namespace
) -> Iterator[tuple[int, Config]]:
    """(round, configuration) in measuring order: every configuration once per round; within a round, per
    worker count the codes on SQLite back to back (the baseline first in even rounds, last in odd ones), then
    this code with the embedder beside, then the other stores."""
    for number in range(args.repeat):
        order = codes if number % 2 == 0 else codes[::-1]
        for workers in (1, args.workers):
            for code in order:
                yield number, (code, "SQLite", workers, False)
        if args.embedder:
            yield number, (THIS, "SQLite", args.workers, True)
        for store in envs[THIS]:
            if store not in ("SQLite", EMBEDDING):
                for workers in (1, args.workers):
                    yield number, (THIS, store, workers, False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tb-bench-load"))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("TECHBRIDGE_DATA_DIR", HERE.parents[1] / "shared/data"))
    )
    parser.add_argument("--pg-url", default=os.environ.get("TECHBRIDGE_TEST_DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="N of the N-worker runs")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--timeout", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; every configuration is measured once a round")
    parser.add_argument("--registry", type=Path, help="a loaded SQLite registry to copy instead of loading one")
    parser.add_argument("--registry-var", type=Path, help="the var folder (indexes) of --registry, copied with it")
    parser.add_argument("--baseline-src", type=Path, help="src folder of a checkout of the baseline commit")
    parser.add_argument("--baseline-name", default="baseline", help="how the baseline rows are named (its commit)")
    parser.add_argument(
        "--baseline-hide",
        default="httptools,uvloop",
        help="comma-separated modules the baseline's locked requirements did not have, hidden from its processes",
    )
    parser.add_argument("--embedder", action="store_true", help="add a row with `techbridge search embed` beside")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    args.work.mkdir(parents=True, exist_ok=True)
    codes: dict[str, Path | None] = {THIS: None}
    if args.baseline_src is not None:
        codes = {args.baseline_name: args.baseline_src.resolve(), **codes}
    envs = {code: prepared_stores(code, src, args) for code, src in codes.items()}
    results: dict[Config, Rounds] = {}
    for number, config in schedule(list(codes), envs, args):
        code, store, workers, embedder = config
        measured = measure(envs[code][EMBEDDING if embedder else store], workers, args, embedder=embedder)
        results.setdefault(config, []).append(measured)
        print(f"round {number + 1}", *config, json.dumps(measured), flush=True)
    report = render(results, args, args.baseline_name if args.baseline_src is not None else None)
    print(report)
    if args.write:
        write_section(SECTION, report)


if __name__ == "__main__":
    main()
