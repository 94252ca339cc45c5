"""Load and validate the policy data files (data/policies/**/*.yaml); every error names the file and the field."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from techbridge.errors import InvalidDataError
from techbridge.policies.criteria import COMPARISONS, Band, Compare, Exists, FactTest, Group, Node
from techbridge.policies.expressions import Age, Binary, Const, Expr, FactValue, Growth, Item, Mean, Score, SumLast
from techbridge.policies.facts import EVENT_TYPES, NUMERIC_TYPES, SERIES_TYPES, load_fact_specs
from techbridge.policies.schema import Ladder, Policy
from techbridge.policies.scores import BestOf, ExprLadder, Indicator, RuleLadder, ScoreSheet, as_points

REQUIRED = ("id", "title", "issuer", "document", "source_url", "effective_from", "ladder", "criteria")
FACT_TESTS = {"is_true": ("bool",), "is_false": ("bool",), "in": ("enum",), "contains": ("strings",)}
FACT_TESTS["contains_any"] = ("strings",)
NODE_KEYS = frozenset({"id", "label", "all", "any", "left", "op", "value", "unit", "fact", "levels", "within_years"})
NODE_KEYS = NODE_KEYS | {"rank_le"}
POLICY_KEYS = frozenset({*REQUIRED, "version", "effective_to", "verify", "score"})


class Parser:
    """Builds one policy from its YAML mapping; `fail` raises with (file, field path)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.ids: set[str] = set()
        self.score_parts: set[str] = set()

    def fail(self, path: str, message: str) -> InvalidDataError:
        """An error located at `path` in this file."""
        return InvalidDataError(message, location=(self.file, path), message_zh=f"策略文件错误：{message}")

    def number(self, raw: Any, path: str) -> Fraction:
        """An exact number: int, decimal literal (read through its shortest repr), "5%" or "1/3"."""
        if isinstance(raw, bool):
            raise self.fail(path, "expected a number")
        try:
            if isinstance(raw, str) and raw.endswith("%"):
                return Fraction(raw[:-1]) / 100
            if isinstance(raw, int | float | str):
                return Fraction(repr(raw) if isinstance(raw, float) else raw)
        except ValueError:
            pass
        raise self.fail(path, "expected a number")

    def fact(self, name: Any, path: str, types: Iterable[str]) -> str:
        """A fact id of one of `types`."""
        spec = load_fact_specs().get(name) if isinstance(name, str) else None
        if spec is None:
            raise self.fail(path, f"unknown fact {name!r}")
        allowed = tuple(types)
        if spec.type not in allowed:
            raise self.fail(path, f"fact {name} is {spec.type}, expected {'|'.join(allowed)}")
        return spec.id

    def label(self, raw: Any, path: str) -> dict[str, str]:
        """A {zh, en} label."""
        if not isinstance(raw, dict) or not all(isinstance(raw.get(lang), str) for lang in ("zh", "en")):
            raise self.fail(path, "expected {zh: ..., en: ...}")
        return {"zh": raw["zh"], "en": raw["en"]}

    def pair(self, raw: Any, path: str) -> tuple[Any, Any]:
        """A two-element list."""
        if not isinstance(raw, list) or len(raw) != 2:
            raise self.fail(path, "expected a list of two")
        return raw[0], raw[1]

    def expr(self, raw: Any, path: str) -> Expr:
        """A numeric expression (see docs/adding-a-policy.md for the grammar)."""
        if not isinstance(raw, dict):
            return Const(self.number(raw, path))
        keys = set(raw) - {"min_of", "years"}
        if len(keys) != 1:
            raise self.fail(
                path, "expected one of fact|item|sum_last|mean_last|add|sub|div|growth|age|days_since|score"
            )
        (key,) = keys
        builder = getattr(self, f"expr_{key}", None)
        if builder is None:
            raise self.fail(f"{path}.{key}", f"unknown expression {key!r}")
        result: Expr = builder(raw, f"{path}.{key}")
        return result

    def expr_fact(self, raw: dict[str, Any], path: str) -> Expr:
        return FactValue(self.fact(raw["fact"], path, NUMERIC_TYPES))

    def expr_item(self, raw: dict[str, Any], path: str) -> Expr:
        name, index = self.pair(raw["item"], path)
        if not isinstance(index, int) or index >= 0:
            raise self.fail(f"{path}[1]", "expected a negative year index (-1 = last year)")
        return Item(self.fact(name, f"{path}[0]", SERIES_TYPES), index)

    def window(self, raw: Any, path: str) -> tuple[str, int]:
        name, years = self.pair(raw, path)
        if not isinstance(years, int) or years < 1:
            raise self.fail(f"{path}[1]", "expected a positive number of years")
        return self.fact(name, f"{path}[0]", SERIES_TYPES), years

    def expr_sum_last(self, raw: dict[str, Any], path: str) -> Expr:
        name, years = self.window(raw["sum_last"], path)
        peers = raw.get("min_of", [])
        if not isinstance(peers, list):
            raise self.fail(f"{path}.min_of", "expected a list of series facts")
        return SumLast(name, years, tuple(self.fact(p, f"{path}.min_of", SERIES_TYPES) for p in peers))

    def expr_mean_last(self, raw: dict[str, Any], path: str) -> Expr:
        return Mean(*self.window(raw["mean_last"], path))

    def binary(self, op: str, raw: dict[str, Any], path: str) -> Expr:
        left, right = self.pair(raw[op], path)
        return Binary(op, self.expr(left, f"{path}[0]"), self.expr(right, f"{path}[1]"))

    def expr_add(self, raw: dict[str, Any], path: str) -> Expr:
        return self.binary("add", raw, path)

    def expr_sub(self, raw: dict[str, Any], path: str) -> Expr:
        return self.binary("sub", raw, path)

    def expr_div(self, raw: dict[str, Any], path: str) -> Expr:
        return self.binary("div", raw, path)

    def expr_growth(self, raw: dict[str, Any], path: str) -> Expr:
        last, first = self.pair(raw["growth"], path)
        years = raw.get("years")
        if not isinstance(years, int) or years < 1:
            raise self.fail(f"{path}.years", "expected a positive number of years")
        return Growth(self.expr(last, f"{path}[0]"), self.expr(first, f"{path}[1]"), years)

    def expr_age(self, raw: dict[str, Any], path: str) -> Expr:
        return Age(self.fact(raw["age"], path, ("date",)))

    def expr_days_since(self, raw: dict[str, Any], path: str) -> Expr:
        return Age(self.fact(raw["days_since"], path, ("date",)), unit="days")

    def expr_score(self, raw: dict[str, Any], path: str) -> Expr:
        if raw["score"] not in self.score_parts:
            raise self.fail(path, f"unknown score part {raw['score']!r} (total, a group or an indicator)")
        return Score(raw["score"])

    def band(self, raw: dict[str, Any], path: str) -> Band:
        """`{band: {by: expr, rules: [[op, bound, value], ...], else: value}}`."""
        body = raw["band"]
        if not isinstance(body, dict) or "else" not in body:
            raise self.fail(path, "expected {by, rules, else}")
        rules = self.rules(body.get("rules"), f"{path}.rules")
        return Band(self.expr(body.get("by"), f"{path}.by"), rules, self.number(body["else"], f"{path}.else"))

    def rules(self, raw: Any, path: str) -> list[tuple[str, Fraction, Fraction]]:
        """`[[op, bound, outcome], ...]` with op one of ge|gt|le|lt."""
        if not isinstance(raw, list) or not raw:
            raise self.fail(path, "expected a list of [op, bound, outcome]")
        result = []
        for index, rule in enumerate(raw):
            where = f"{path}[{index}]"
            if not isinstance(rule, list) or len(rule) != 3 or rule[0] not in COMPARISONS:
                raise self.fail(where, "expected [ge|gt|le|lt, bound, outcome]")
            result.append((rule[0], self.number(rule[1], where), self.number(rule[2], where)))
        return result

    def node(self, raw: Any, path: str) -> Node:
        """A criterion: a group (`all`/`any`) or a leaf."""
        if not isinstance(raw, dict):
            raise self.fail(path, "expected a mapping")
        unknown = sorted(set(raw) - NODE_KEYS)
        if unknown:
            raise self.fail(f"{path}.{unknown[0]}", f"unknown key {unknown[0]!r}")
        node_id = raw.get("id")
        if not isinstance(node_id, str) or node_id in self.ids:
            raise self.fail(f"{path}.id", "expected a unique id")
        self.ids.add(node_id)
        label = self.label(raw.get("label"), f"{path}.label")
        for mode in ("all", "any"):
            if mode in raw:
                children = raw[mode]
                if not isinstance(children, list) or not children:
                    raise self.fail(f"{path}.{mode}", "expected a non-empty list")
                nodes = [self.node(child, f"{path}.{mode}[{i}]") for i, child in enumerate(children)]
                return Group(node_id, label, mode=mode, children=nodes)
        return self.leaf(raw, path, node_id, label)

    def leaf(self, raw: dict[str, Any], path: str, node_id: str, label: dict[str, str]) -> Node:
        """A leaf over the closed operator set."""
        op = raw.get("op")
        if op in COMPARISONS:
            return self.comparison(raw, path, node_id, label)
        if op in FACT_TESTS:
            return self.fact_test(raw, path, node_id, label)
        if op == "exists":
            return self.exists(raw, path, node_id, label)
        raise self.fail(f"{path}.op", f"unknown operator {op!r}")

    def comparison(self, raw: dict[str, Any], path: str, node_id: str, label: dict[str, str]) -> Node:
        if "left" not in raw or "value" not in raw:
            raise self.fail(path, "a comparison needs left and value")
        value = raw["value"]
        right: Expr | Band
        if isinstance(value, dict) and "band" in value:
            right = self.band(value, f"{path}.value")
        else:
            right = self.expr(value, f"{path}.value")
        unit = raw.get("unit", "number")
        left = self.expr(raw["left"], f"{path}.left")
        return Compare(node_id, label, left=left, op=raw["op"], right=right, unit=unit)

    def fact_test(self, raw: dict[str, Any], path: str, node_id: str, label: dict[str, str]) -> Node:
        op = raw["op"]
        fact = self.fact(raw.get("fact"), f"{path}.fact", FACT_TESTS[op])
        value = raw.get("value", [])
        values = tuple(value) if isinstance(value, list) else (value,)
        if op in ("is_true", "is_false"):
            values = ()
        elif not values or not all(isinstance(v, str) for v in values):
            raise self.fail(f"{path}.value", "expected a string or a list of strings")
        allowed = load_fact_specs()[fact].values
        if op == "in" and not set(values) <= set(allowed):
            raise self.fail(f"{path}.value", f"values must be among {'|'.join(allowed)}")
        return FactTest(node_id, label, fact=fact, op=op, values=values)

    def exists(self, raw: dict[str, Any], path: str, node_id: str, label: dict[str, str]) -> Node:
        fact = self.fact(raw.get("fact"), f"{path}.fact", tuple(EVENT_TYPES))
        levels = raw.get("levels")
        allowed = EVENT_TYPES[load_fact_specs()[fact].type]
        if not isinstance(levels, list) or not levels or not set(levels) <= set(allowed):
            raise self.fail(f"{path}.levels", f"expected a list among {'|'.join(allowed)}")
        within, rank = raw.get("within_years"), raw.get("rank_le")
        if not isinstance(within, int) or within < 0:
            raise self.fail(f"{path}.within_years", "expected a whole number of years")
        if rank is not None and not isinstance(rank, int):
            raise self.fail(f"{path}.rank_le", "expected a whole number")
        return Exists(node_id, label, fact=fact, levels=tuple(levels), within_years=within, rank_le=rank)

    def indicator(self, raw: Any, path: str, groups: list[str]) -> Indicator:
        """One score indicator: `expr` + `bands`, `rules` (criteria → points) or `best_of`."""
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise self.fail(path, "expected an indicator with an id")
        group = raw.get("group", raw["id"])
        if group not in groups:
            raise self.fail(f"{path}.group", f"unknown group {group!r}")
        if "best_of" in raw:
            options = raw["best_of"]
            if not isinstance(options, list) or not options:
                raise self.fail(f"{path}.best_of", "expected a list of ladders")
            ladders = [self.expr_ladder(o, f"{path}.best_of[{i}]", raw["id"], group) for i, o in enumerate(options)]
            return BestOf(raw["id"], group, options=ladders)
        if "rules" in raw:
            return self.rule_ladder(raw, path, group)
        return self.expr_ladder(raw, path, raw["id"], group)

    def expr_ladder(self, raw: Any, path: str, indicator_id: str, group: str) -> ExprLadder:
        if not isinstance(raw, dict) or "expr" not in raw:
            raise self.fail(path, "expected expr and bands")
        expr = self.expr(raw["expr"], f"{path}.expr")
        bands = [(op, bound, as_points(out)) for op, bound, out in self.rules(raw.get("bands"), f"{path}.bands")]
        default = as_points(self.number(raw.get("else", 0), path))
        return ExprLadder(indicator_id, group, expr=expr, rules=bands, default=default)

    def rule_ladder(self, raw: dict[str, Any], path: str, group: str) -> RuleLadder:
        rules = raw["rules"]
        if not isinstance(rules, list) or not rules:
            raise self.fail(f"{path}.rules", "expected a list of {when, points}")
        parsed = []
        for index, rule in enumerate(rules):
            where = f"{path}.rules[{index}]"
            if not isinstance(rule, dict) or "when" not in rule or "points" not in rule:
                raise self.fail(where, "expected {when, points}")
            points = as_points(self.number(rule["points"], f"{where}.points"))
            parsed.append((self.node(rule["when"], f"{where}.when"), points))
        default = as_points(self.number(raw.get("else", 0), f"{path}.else"))
        return RuleLadder(raw["id"], group, rules=parsed, default=default)

    def score_sheet(self, raw: Any, path: str) -> ScoreSheet:
        """`score: {groups: [...], indicators: [...]}`."""
        if not isinstance(raw, dict) or not isinstance(raw.get("groups"), list):
            raise self.fail(path, "expected {groups, indicators}")
        groups = [str(g) for g in raw["groups"]]
        items = raw.get("indicators")
        if not isinstance(items, list) or not items:
            raise self.fail(f"{path}.indicators", "expected a non-empty list")
        indicators = [self.indicator(item, f"{path}.indicators[{i}]", groups) for i, item in enumerate(items)]
        self.score_parts = {"total", *groups, *(i.id for i in indicators)}
        return ScoreSheet(indicators, groups)

    def date(self, raw: Any, path: str) -> date:
        """A date written as YYYY-MM-DD."""
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise self.fail(path, "expected a date YYYY-MM-DD") from None

    def policy(self, raw: Any) -> Policy:
        """The whole file."""
        if not isinstance(raw, dict):
            raise self.fail("", "expected a mapping")
        for key in REQUIRED:
            if key not in raw:
                raise self.fail(key, "required field missing")
        for key in sorted(set(raw) - POLICY_KEYS):
            raise self.fail(key, f"unknown key {key!r}")
        start = self.date(raw["effective_from"], "effective_from")
        end = None if raw.get("effective_to") is None else self.date(raw["effective_to"], "effective_to")
        if end is not None and end < start:
            raise self.fail("effective_to", "ends before effective_from")
        ladder = raw["ladder"]
        if not isinstance(ladder, dict) or not isinstance(ladder.get("rank"), int):
            raise self.fail("ladder", "expected {name, rank}")
        score = self.score_sheet(raw["score"], "score") if "score" in raw else None
        criteria = self.node(raw["criteria"], "criteria")
        if not isinstance(criteria, Group):
            raise self.fail("criteria", "the root must be an all/any group")
        return Policy(
            id=str(raw["id"]),
            version=str(raw.get("version", start.year)),
            title=self.label(raw["title"], "title"),
            issuer=str(raw["issuer"]),
            document=str(raw["document"]),
            source_url=str(raw["source_url"]),
            effective_from=start,
            effective_to=end,
            ladder=Ladder(str(ladder.get("name", "main")), ladder["rank"]),
            criteria=criteria,
            score=score,
            verify=bool(raw.get("verify", False)),
            file=self.file,
        )


def parse_policy(text: str, file: str) -> Policy:
    """One policy version from YAML text; `file` names it in errors."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidDataError(f"not valid YAML: {exc}", location=(file,), message_zh="YAML 格式错误") from None
    return Parser(file).policy(raw)


def _policy_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_policy_files(entry, f"{name}/"))
        elif entry.name.endswith(".yaml") and name != "facts.yaml":
            found.append((name, entry))
    return found


def load_policies(folder: Path | None = None) -> list[Policy]:
    """Every policy version shipped in data/policies/ (or under `folder`); overlapping versions are an error."""
    root: Traversable = folder if folder is not None else resources.files("techbridge") / "data" / "policies"
    policies = [parse_policy(entry.read_text(encoding="utf-8"), name) for name, entry in _policy_files(root)]
    by_id: dict[str, list[Policy]] = {}
    for policy in policies:
        by_id.setdefault(policy.id, []).append(policy)
    for versions in by_id.values():
        versions.sort(key=lambda p: p.effective_from)
        for before, after in itertools.pairwise(versions):
            if before.effective_to is None or before.effective_to >= after.effective_from:
                raise InvalidDataError(
                    f"{before.id} versions overlap",
                    location=(after.file, "effective_from"),
                    message_zh="版本有效期重叠",
                )
    return policies


@lru_cache(maxsize=1)
def shipped_policies() -> tuple[Policy, ...]:
    """The shipped policy versions, loaded once per process."""
    return tuple(load_policies())
