"""`techbridge search …` and `techbridge eval retrieval` through the CLI on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.db import session_scope
from tests.unit.matching.seed import seed_registry

DATA = Path(__file__).resolve().parents[1] / "data" / "search"
runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {
        "TECHBRIDGE_DATABASE_URL": settings.database_url,
        "TECHBRIDGE_VAR_DIR": str(settings.var_dir),
        "TECHBRIDGE_JOB_NICENESS": "0",  # the CLI runs in the test process: keep its priority
    }


def _invoke(settings: Settings, *args: str) -> object:
    from techbridge.config import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, list(args), env=_env(settings))
    get_settings.cache_clear()
    return result


class TestSearchCommands:
    def test_build_status_query(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
        built = _invoke(settings, "search", "build", "--no-embed")
        assert built.exit_code == 0, built.output  # type: ignore[attr-defined]
        assert "10 documents" in built.output  # type: ignore[attr-defined]
        status = _invoke(settings, "search", "status", "--json")
        assert json.loads(status.output)["lexical_documents"] == 10  # type: ignore[attr-defined]
        found = _invoke(settings, "search", "query", "FPGA", "--json")
        hits = json.loads(found.output)["hits"]  # type: ignore[attr-defined]
        assert hits[0]["title"] == "基于FPGA的高速图像处理系统"
        plain = _invoke(settings, "search", "query", "锂电池", "--entity", "enterprise")
        assert "锂电" in plain.output  # type: ignore[attr-defined]
        assert _invoke(settings, "search", "status").exit_code == 0  # type: ignore[attr-defined]

    def test_unknown_entity_exits_1(self, settings: Settings) -> None:
        result = _invoke(settings, "search", "query", "x", "--entity", "cat")
        assert result.exit_code == 1  # type: ignore[attr-defined]

    def test_embed_command_with_limit(self, settings: Settings) -> None:
        result = _invoke(settings, "search", "embed", "--limit", "0")
        assert result.exit_code == 0  # type: ignore[attr-defined]
        assert "embedded 0 passages" in result.output  # type: ignore[attr-defined]


def _eval(settings: Settings, *extra: str) -> object:
    """`techbridge eval retrieval` on the small test benchmark, with extra options."""
    benchmark = ["--corpus", str(DATA / "corpus.jsonl"), "--queries", str(DATA / "queries.jsonl")]
    return _invoke(settings, "eval", "retrieval", *benchmark, "--qrels", str(DATA / "qrels.tsv"), *extra)


class TestEvalRetrieval:
    def test_json_line_per_method(self, settings: Settings) -> None:
        result = _eval(
            settings,
            "--method",
            "bm25-ref",
            "--method",
            "lexical",
            "--json",
        )
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]  # type: ignore[attr-defined]
        assert [x["method"] for x in lines] == ["bm25-ref", "lexical"]
        assert set(lines[0]) == {"method", "ndcg@10", "recall@100", "mrr@10", "queries"}
        assert lines[1]["queries"] == 8
        assert lines[1]["recall@100"] >= 0.85

    def test_default_method_is_the_product(self, settings: Settings) -> None:
        result = _eval(
            settings,
        )
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        assert result.stdout.startswith("hybrid")  # type: ignore[attr-defined]

    def test_unknown_method_exits_1(self, settings: Settings) -> None:
        result = _eval(
            settings,
            "--method",
            "nope",
        )
        assert result.exit_code == 1  # type: ignore[attr-defined]
