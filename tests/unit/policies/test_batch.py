"""The batch fast path gives the verdicts, scores and top-level criteria of the exact evaluator, and its errors."""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from bench.tiers_batch import make_lines

from techbridge.policies.batch import evaluate_batch, evaluate_raw
from techbridge.policies.evaluate import Result, evaluate_facts
from techbridge.policies.expressions import float_facts
from techbridge.policies.facts import FactError, load_fact_specs, parse_facts, parse_float_facts
from techbridge.policies.loader import shipped_policies
from techbridge.policies.pools import pool_rows, raw_pool_rows

AS_OF = date(2026, 6, 30)
NUDGE = Decimal("1e-20")  # below float resolution: only the exact path sees it


def raw_facts(count: int) -> list[dict[str, Any]]:
    """The benchmark's synthetic enterprises, as `tiers evaluate` reads them (decimals as Decimal)."""
    return [json.loads(line, parse_float=Decimal)["facts"] for line in make_lines(count)]


def exact_results(raw: dict[str, Any], as_of: date = AS_OF) -> list[Result]:
    """Today's evaluator, with only the top-level criteria's ids and verdicts kept (what the batch gives)."""
    results = evaluate_facts(parse_facts(raw), as_of, shipped_policies(), detail=False)
    for result in results:
        if result["version"] is not None:  # a policy not in force keeps its one `in_force` criterion as it is
            result["criteria"] = [{"id": c["id"], "verdict": c["verdict"]} for c in result["criteria"]]
    return results


def nudged(raw: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Numbers moved by ±1e-20 or onto a round value, so float bounds tie with thresholds and exactness decides."""
    specs = load_fact_specs()
    result = dict(raw)
    for name, value in raw.items():
        kind = specs[name].type
        if kind in ("number", "share"):
            rounded = Decimal(round(value, 1 if kind == "share" else 0))
            moved = rounded + rng.choice((-NUDGE, 0, NUDGE))
            result[name] = moved if 0 <= moved <= (1 if kind == "share" else moved) else rounded
        elif kind == "amounts":
            result[name] = [None if v is None else Decimal(round(v, -1)) + rng.choice((0, NUDGE)) for v in value]
    return result


class TestEvaluateRaw:
    def test_equals_the_exact_evaluator_on_synthetic_enterprises(self) -> None:
        mismatches = [
            raw for raw in raw_facts(2500) if evaluate_raw(raw, AS_OF, shipped_policies()) != exact_results(raw)
        ]
        assert mismatches == []

    def test_equals_the_exact_evaluator_on_values_tied_with_thresholds(self) -> None:
        rng = random.Random(11)
        cases = [nudged(raw, rng) for raw in raw_facts(600)]
        assert [r for r in cases if evaluate_raw(r, AS_OF, shipped_policies()) != exact_results(r)] == []

    def test_a_nudge_below_float_resolution_decides(self) -> None:
        at, below = {"rd_domestic_share": Decimal("0.6")}, {"rd_domestic_share": Decimal("0.6") - NUDGE}
        criterion = [
            {
                c["id"]: c["verdict"]
                for r in evaluate_raw(raw, AS_OF, shipped_policies(), ["hnte"])
                for c in r["criteria"]
            }
            for raw in (at, below)
        ]
        assert [c["rd_domestic_share"] for c in criterion] == ["pass", "fail"]

    def test_another_date_and_only_some_policies(self) -> None:
        (raw,) = raw_facts(1)
        on = date(2022, 7, 31)
        fast = evaluate_raw(raw, on, shipped_policies(), ["innovative_sme", "hnte"])
        assert fast == [r for r in exact_results(raw, on) if r["policy"] in ("innovative_sme", "hnte")]

    def test_parsed_facts_give_the_same(self) -> None:
        for raw in raw_facts(50):
            assert evaluate_batch(parse_facts(raw), AS_OF, shipped_policies()) == exact_results(raw)


class TestParseFloatFacts:
    def test_equals_the_exact_parse_as_floats(self) -> None:
        raw = {"employees": 12, "revenue_history": [Decimal("1.1"), None, 3], "ip_class1": Decimal("2.0")}
        raw |= {"rd_domestic_share": Decimal("0.6"), "founded_on": "2020-02-29", "titles": ["hnte"]}
        assert parse_float_facts(raw) == float_facts(parse_facts(raw))

    @pytest.mark.parametrize(
        "raw",
        [
            {"employees": True},
            {"employees": Decimal("1.5")},
            {"employees": -1},
            {"rd_domestic_share": Decimal("1") + NUDGE},
            {"hnte_innovation_score": 101},
            {"total_assets": "12"},
            {"revenue_history": [1, "2"]},
            {"employees_history": [1, Decimal("2.5")]},
            {"no_such_fact": 1},
            {"employees": 3, "founded_on": "2020-13-01"},
            ["employees"],
        ],
    )
    def test_errors_are_those_of_the_exact_parse(self, raw: Any) -> None:
        with pytest.raises(FactError) as exact:
            parse_facts(raw)
        with pytest.raises(FactError) as fast:
            parse_float_facts(raw)
        assert (fast.value.message, fast.value.message_zh) == (exact.value.message, exact.value.message_zh)


class TestRawPoolRows:
    def test_equal_the_rows_from_exact_facts(self) -> None:
        for raw in raw_facts(150):
            assert raw_pool_rows(raw, AS_OF, shipped_policies()) == pool_rows(
                parse_facts(raw), AS_OF, shipped_policies()
            )
