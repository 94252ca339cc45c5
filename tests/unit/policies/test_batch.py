"""The batch fast path gives the verdicts, scores and top-level criteria of the exact evaluator, and its errors."""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from bench.tiers_batch import make_lines

from techbridge.policies.batch import evaluate_batch, evaluate_raw
from techbridge.policies.columnar import column_policy, evaluate_columns
from techbridge.policies.criteria import Node, Trace
from techbridge.policies.evaluate import Result, evaluate_facts
from techbridge.policies.expressions import Env, float_facts
from techbridge.policies.facts import FactError, load_fact_specs, parse_facts, parse_float_facts
from techbridge.policies.loader import shipped_policies
from techbridge.policies.pools import column_pool_rows, pool_rows, raw_pool_rows
from techbridge.policies.schema import Policy

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


def column_results(raws: list[dict[str, Any]], as_of: date = AS_OF, only: list[str] | None = None) -> list[Any]:
    """Every enterprise's results from one columnar batch (its FactError's message when it has one)."""
    batch = evaluate_columns(raws, as_of, shipped_policies(), only)
    return [batch.errors[i].message if i in batch.errors else batch.results(i) for i in range(len(raws))]


@dataclasses.dataclass
class EmployeesOver(Node):
    """A criterion kind the columnar batch does not know: more than `limit` employees."""

    limit: int = 100

    def evaluate(self, env: Env) -> tuple[bool | None, Trace]:
        value = env.facts.get("employees")
        verdict = None if value is None else value > self.limit
        return verdict, self.leaf_trace(verdict, "employees_over", env)


def with_unknown_kind(policy: Policy) -> Policy:
    odd = EmployeesOver(id="odd", label={"zh": "怪", "en": "odd"})
    criteria = dataclasses.replace(policy.criteria, children=[*policy.criteria.children, odd])
    return dataclasses.replace(policy, criteria=criteria)


class TestEvaluateColumns:
    def test_equals_the_exact_evaluator_on_synthetic_enterprises(self) -> None:
        raws = raw_facts(2500)
        assert [i for i, r in enumerate(column_results(raws)) if r != exact_results(raws[i])] == []

    def test_equals_the_exact_evaluator_on_values_tied_with_thresholds(self) -> None:
        rng = random.Random(11)
        raws = [nudged(raw, rng) for raw in raw_facts(600)]
        batch = evaluate_columns(raws, AS_OF, shipped_policies())
        assert [i for i in range(len(raws)) if batch.results(i) != exact_results(raws[i])] == []

    def test_a_nudge_below_float_resolution_decides(self) -> None:
        at, below = {"rd_domestic_share": Decimal("0.6")}, {"rd_domestic_share": Decimal("0.6") - NUDGE}
        results = column_results([at, below], only=["hnte"])
        verdicts = [{c["id"]: c["verdict"] for c in r[0]["criteria"]}["rd_domestic_share"] for r in results]
        assert verdicts == ["pass", "fail"]

    def test_a_nudge_below_float_resolution_decides_a_score_band(self) -> None:
        at = {"rd_expense_history": [Decimal(6)], "revenue_history": [Decimal(100)]}
        below = {**at, "rd_expense_history": [Decimal(6) - NUDGE]}
        batch = evaluate_columns([at, below], AS_OF, shipped_policies(), ["tech_sme"])
        assert [batch.results(i)[0]["subtotals"]["rd"] for i in (0, 1)] == [[50, 50], [40, 40]]
        assert set(batch.policies[0].rows) == {0, 1}  # the sheet's tie: the whole policy row by row

    def test_another_date_and_only_some_policies(self) -> None:
        raws = raw_facts(40)
        on = date(2022, 7, 31)
        wanted = ("innovative_sme", "hnte", "ln_eaglet")
        expected = [[r for r in exact_results(raw, on) if r["policy"] in wanted] for raw in raws]
        assert column_results(raws, on, list(wanted)) == expected

    def test_a_policy_not_in_force_is_ineligible_for_everyone(self) -> None:
        raws = raw_facts(5)
        results = column_results(raws, date(2015, 1, 1))
        assert results == [exact_results(raw, date(2015, 1, 1)) for raw in raws]
        assert {r["criteria"][0]["id"] for rows in results for r in rows} == {"in_force"}

    def test_a_fact_error_stays_with_its_enterprise(self) -> None:
        good = raw_facts(3)
        raws = [good[0], {"employees": Decimal("1.5")}, good[1], {"no_such_fact": 1}, good[2]]
        batch = evaluate_columns(raws, AS_OF, shipped_policies())
        with pytest.raises(FactError) as error:
            batch.results(1)
        assert error.value.message == "employees: expected a whole number"
        assert batch.errors[3].message == "unknown fact id 'no_such_fact'"
        assert [batch.results(i) for i in (0, 2, 4)] == [exact_results(raw) for raw in good]

    def test_a_number_floats_cannot_hold_stays_with_its_enterprise(self) -> None:
        # float(10**400) raised OverflowError and took the whole chunk (a pool refresh) down with it
        good = raw_facts(2)
        raws = [good[0], {"ip_class1": 10**400}, {"revenue_history": [Decimal("1e-320")]}, good[1]]
        batch = evaluate_columns(raws, AS_OF, shipped_policies())
        assert sorted(batch.errors) == [1, 2]
        assert [batch.results(i) for i in (0, 3)] == [exact_results(raw) for raw in good]

    def test_verdict_counts_are_those_of_the_results(self) -> None:
        rng = random.Random(5)
        raws = [*raw_facts(300), *(nudged(raw, rng) for raw in raw_facts(100)), {"employees": -1}]
        batch = evaluate_columns(raws, AS_OF, shipped_policies())
        expected = Counter(r["verdict"] for raw in raws[:-1] for r in exact_results(raw))
        assert batch.verdict_counts() == expected

    def test_an_empty_chunk_gives_nothing(self) -> None:
        batch = evaluate_columns([], AS_OF, shipped_policies())
        assert batch.verdict_counts() == Counter()

    def test_a_criterion_kind_without_a_columnar_form_is_evaluated_row_by_row(self) -> None:
        policies = [with_unknown_kind(p) if p.id == "hnte" else p for p in shipped_policies()]
        hnte = next(p for p in policies if p.id == "hnte")
        assert column_policy(hnte).checks is None
        raws = raw_facts(60)
        batch = evaluate_columns(raws, AS_OF, policies, ["hnte"])
        exact = [evaluate_facts(parse_facts(raw), AS_OF, policies, ["hnte"], detail=False) for raw in raws]
        for result in (r for rows in exact for r in rows):
            result["criteria"] = [{"id": c["id"], "verdict": c["verdict"]} for c in result["criteria"]]
        assert [batch.results(i) for i in range(len(raws))] == exact
        assert {r["verdict"] for rows in exact for r in rows} == {"eligible", "ineligible"}


class TestColumnPoolRows:
    def test_equal_the_rows_of_each_enterprise(self) -> None:
        raws = [*raw_facts(150), {"employees": True}]
        rows = column_pool_rows(raws, AS_OF, shipped_policies())
        assert rows[:-1] == [raw_pool_rows(raw, AS_OF, shipped_policies()) for raw in raws[:-1]]
        assert rows[-1] == "employees: expected a number"
