"""`techbridge search …` and `techbridge eval retrieval` through the CLI on a real database."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from techbridge.accounts.service import viewer_for
from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.matching.service import save_demand
from techbridge.models import Role
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user
from tests.unit.matching.seed import Seeded, seed_registry

DATA = Path(__file__).resolve().parents[1] / "data" / "search"
runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {
        "TECHBRIDGE_DATABASE_URL": settings.database_url,
        "TECHBRIDGE_VAR_DIR": str(settings.var_dir),
        "TECHBRIDGE_JOB_NICENESS": "0",  # the CLI runs in the test process: keep its priority
    }


def _invoke(settings: Settings, *args: str, lang: str | None = None) -> object:
    from techbridge.config import get_settings

    get_settings.cache_clear()
    env = _env(settings) | ({"TECHBRIDGE_LANG": lang} if lang else {})
    result = runner.invoke(app, list(args), env=env)
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


def _built(settings: Settings) -> tuple[Seeded, int]:
    """The seeded registry with one officer's demand (its id second), indexed."""
    with session_scope(settings.database_url) as session:
        seeded = seed_registry(session)
        officer = make_user(session, "cli-officer", Role.OFFICER)
        need = "需要FPGA图像处理系统"
        demand = save_demand(session=session, viewer=viewer_for(officer), text=need)
        demand_id = demand.id
    assert _invoke(settings, "search", "build", "--no-embed").exit_code == 0  # type: ignore[attr-defined]
    return seeded, demand_id


class TestMatchCommandsMatchTheApi:
    """`search demand|adopters` answer what `/api/match/…` answers an administrator; `--region` takes a name."""

    def test_demand_and_adopters_equal_the_api(self, settings: Settings) -> None:
        seeded, demand_id = _built(settings)
        client = _admin_client(settings)
        for (args, path), lang in itertools.product(
            [
                (("search", "demand", str(demand_id)), f"/api/match/demands/{demand_id}"),
                (("search", "adopters", str(seeded.battery)), f"/api/match/achievements/{seeded.battery}/adopters"),
            ],
            ["zh", "en"],  # the reasons' text in the user's language, the CLI's as the API's
        ):
            result = _invoke(settings, *args, "--json", lang=lang)
            assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
            assert json.loads(result.stdout) == client.get(path, params={"lang": lang}).json()  # type: ignore[attr-defined]
        adopters = json.loads(_invoke(settings, "search", "adopters", str(seeded.battery), "--json").stdout)  # type: ignore[attr-defined]
        assert adopters["hits"][0]["id"] == seeded.local_battery_maker

    def test_region_by_name_filters_like_the_api(self, settings: Settings) -> None:
        seeded, _ = _built(settings)
        near = _invoke(settings, "search", "query", "锂电池正极材料", "--region", "沈阳", "--json")
        far = _invoke(settings, "search", "query", "锂电池正极材料", "--region", "深圳", "--json")
        assert seeded.battery in [h["id"] for h in json.loads(near.stdout)["hits"]]  # type: ignore[attr-defined]
        assert seeded.battery not in [h["id"] for h in json.loads(far.stdout)["hits"]]  # type: ignore[attr-defined]

    def test_unknown_region_exits_1(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
        result = _invoke(settings, "search", "query", "电池", "--region", "无此地")
        assert result.exit_code == 1  # type: ignore[attr-defined]


def _admin_client(settings: Settings) -> TestClient:
    with session_scope(settings.database_url) as session:
        make_user(session, "cli-admin", Role.ADMIN)
    client = TestClient(create_app(settings))
    assert client.post("/api/auth/login", json={"username": "cli-admin", "password": PASSWORD}).status_code == 200
    return client


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
