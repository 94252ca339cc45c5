"""Criteria in plain words: each leaf's rule with threshold and unit, the enterprise's value and what is missing.

Sentences come from templates per operator and per expression kind in the i18n catalogue (`tiers.rule.*`,
`tiers.subject.*` in data/i18n/tiers.yaml) and units from data/policies/facts.yaml; never operator codes or fact ids.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from techbridge.i18n.loader import translate
from techbridge.policies.criteria import Compare, Exists, FactTest, Group, Node
from techbridge.policies.expressions import Age, Binary, Const, Expr, FactValue, Growth, Item, Mean, Score, SumLast
from techbridge.policies.facts import FactSpec, load_fact_specs
from techbridge.policies.gaps import input_words, year_words
from techbridge.policies.loader import shipped_policies
from techbridge.policies.schema import Policy

Words = dict[str, str]
LOOSE_SPACE = re.compile(r"\s+(?=[)）:：,，])|(?<=[(（])\s+")


def say(key: str, lang: str, **params: Any) -> str:
    """The catalogue's sentence for `key`, without the spaces an empty unit leaves ("5% )" → "5%)")."""
    text = translate(key, lang, **params)
    return LOOSE_SPACE.sub("", " ".join(text.split(" "))).replace("  ", " ").strip()


def fact_label(fact: str, lang: str) -> str:
    """The fact's name in `lang` (the id only for a fact missing from the catalogue)."""
    spec = load_fact_specs().get(fact)
    if spec is None:
        return fact
    return spec.zh if lang == "zh" else spec.en


def fact_unit(fact: str, lang: str) -> str:
    """The fact's unit in `lang`, or ""."""
    spec = load_fact_specs().get(fact)
    return spec.unit(lang) if spec else ""


def number(value: Any, *, percent: bool = False) -> str:
    """A number as people read it: 500, 3.25, 12.5%."""
    if percent:
        return f"{float(value) * 100:.1f}".rstrip("0").rstrip(".") + "%"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def subject(expr: Expr, lang: str) -> str | None:
    """What an expression measures, in words: 最近一年营业收入, 研发费用占营业收入的比例, 成立年限 …; None when it
    has no short name (nested arithmetic, a part of a score sheet): the criterion's own label says it then."""
    if isinstance(expr, FactValue):
        return fact_label(expr.fact, lang)
    if isinstance(expr, Item):
        if expr.index == -1:
            return say("tiers.subject.item_last", lang, fact=fact_label(expr.fact, lang))
        return say("tiers.subject.item", lang, fact=fact_label(expr.fact, lang), years=-expr.index - 1)
    if isinstance(expr, SumLast | Mean):
        kind = "sum" if isinstance(expr, SumLast) else "mean"
        return say(f"tiers.subject.{kind}", lang, fact=fact_label(expr.fact, lang), years=expr.years)
    if isinstance(expr, Binary):
        if not all(isinstance(side, FactValue | Item | SumLast | Mean) for side in (expr.left, expr.right)):
            return None
        left, right = subject(expr.left, lang), subject(expr.right, lang)
        return say(f"tiers.subject.{expr.op}", lang, left=left, right=right)
    if isinstance(expr, Growth):
        fact = subject(expr.last, lang) if isinstance(expr.last, FactValue | Item) else None
        return None if fact is None else say("tiers.subject.growth", lang, fact=fact, years=expr.years)
    if isinstance(expr, Age):
        return say(f"tiers.subject.age_{expr.unit}", lang)
    if isinstance(expr, Score) and expr.part == "total":
        return say("tiers.subject.score", lang)
    return None


def unit_of(expr: Expr, lang: str) -> str:
    """The unit of a measured amount (万元, 人 …); ratios and growth rates carry none (they read as %)."""
    if isinstance(expr, FactValue | Item | SumLast | Mean):
        return fact_unit(expr.fact, lang)
    if isinstance(expr, Binary) and expr.op in ("add", "sub"):
        return unit_of(expr.left, lang)
    if isinstance(expr, Age):
        return say(f"tiers.unit.{expr.unit}", lang)
    if isinstance(expr, Score):
        return say("tiers.unit.points", lang)
    return ""


def shown(value: Any, *, percent: bool, lang: str = "zh") -> str | None:
    """A trace value (number or {value_range}) as text: 「5」, 「20–30」, 「至少 1」 (a known part plus a
    missing one); None when nothing is known."""
    if isinstance(value, dict):
        low, high = value.get("value_range") or (None, None)
        if percent and low is not None and low <= -1:
            low = None  # a growth rate of at least −100% says nothing
        if low and high is None:
            return say("tiers.at_least", lang, value=number(low, percent=percent))
        if low is None or high is None:
            return None
        return f"{number(low, percent=percent)}–{number(high, percent=percent)}"
    return None if value is None else number(value, percent=percent)


def describe_compare(node: Compare, trace: dict[str, Any], lang: str) -> Words:
    """A comparison: 「职工总数需不超过 500人」, 「目前 700人」."""
    assert node.left is not None
    percent = node.unit == "percent"
    unit = "" if percent else unit_of(node.left, lang)
    if isinstance(node.right, Expr) and not isinstance(node.right, Const):
        threshold, unit = subject(node.right, lang), ""
    else:
        threshold = shown(trace.get("threshold"), percent=percent)
    measured = subject(node.left, lang)
    if measured is None or threshold is None:
        rule = node.label.get(lang, node.id)
    else:
        rule = say(f"tiers.rule.{node.op}", lang, subject=measured, threshold=threshold, unit=unit)
    current = trace.get("value")
    now = shown(current if current is not None else trace, percent=percent, lang=lang)
    now_unit = "" if percent else unit_of(node.left, lang)
    return {"rule": rule, "now": _now(now, now_unit, lang)}


def _now(value: str | None, unit: str, lang: str) -> str:
    if value is None:
        return say("tiers.now_missing", lang)
    return say("tiers.now", lang, value=value, unit=unit)


def term(value: str, lang: str, titles: dict[str, str]) -> str:
    """A value of a fact in words: a policy title (hnte → 高新技术企业) or a level (national → 国家级)."""
    if value in titles:
        return titles[value]
    key = f"tiers.term.{value}"
    text = say(key, lang)
    return value if text == key else text


def describe_test(node: FactTest, trace: dict[str, Any], lang: str, titles: dict[str, str]) -> Words:
    """A test of a yes/no, list or level fact: 「需不属于：禁止、限制或淘汰类」, 「称号需包含：高新技术企业」."""
    values = translate("tiers.list_sep", lang).join(term(v, lang, titles) for v in node.values)
    rule = say(f"tiers.rule.{node.op}", lang, subject=fact_label(node.fact, lang), values=values)
    value = trace.get("value")
    if value is None:
        return {"rule": rule, "now": say("tiers.now_missing", lang)}
    if isinstance(value, bool):
        text = say(f"tiers.bool.{str(value).lower()}", lang)
    elif isinstance(value, list):
        text = translate("tiers.list_sep", lang).join(term(v, lang, titles) for v in value) or say("tiers.none", lang)
    else:
        text = term(str(value), lang, titles)
    return {"rule": rule, "now": say("tiers.now", lang, value=text, unit="")}


def describe_exists(node: Exists, trace: dict[str, Any], lang: str) -> Words:
    """An award or standard: 「近 5 年内获国家级科技奖励（排名前 3）」, 「目前 2 项记录」."""
    levels = translate("tiers.list_sep", lang).join(term(level, lang, {}) for level in node.levels)
    rank = "" if node.rank_le is None else say("tiers.rule.rank", lang, rank=node.rank_le)
    rule = say("tiers.rule.exists", lang, subject=fact_label(node.fact, lang), years=node.within_years, levels=levels)
    count = trace.get("value")
    if count is None:
        return {"rule": rule + rank, "now": say("tiers.now_missing", lang)}
    return {"rule": rule + rank, "now": say("tiers.now_records", lang, count=count)}


def describe_node(node: Node, trace: dict[str, Any], lang: str, titles: dict[str, str]) -> Words:
    """The plain words of one criterion of any kind."""
    if isinstance(node, Group):
        return {"rule": say(f"tiers.rule.{node.mode}", lang), "now": ""}
    if isinstance(node, Compare):
        return describe_compare(node, trace, lang)
    if isinstance(node, FactTest):
        return describe_test(node, trace, lang, titles)
    if isinstance(node, Exists):
        return describe_exists(node, trace, lang)
    return {"rule": node.label.get(lang, node.id), "now": ""}


def describe_result(policy: Policy, result: dict[str, Any], lang: str, titles: dict[str, str]) -> dict[str, Words]:
    """criterion id → {rule, now, advice} for every criterion of one detailed policy result."""
    nodes: dict[str, Node] = {}
    _index(policy.criteria, nodes)
    gaps = {gap["criterion"]: gap for gap in result.get("gaps", [])}
    words: dict[str, Words] = {}
    for trace in _walk(result["criteria"]):
        node = nodes.get(trace["id"])
        if node is None:
            continue
        entry = describe_node(node, trace, lang, titles)
        if trace["verdict"] != "pass" and not isinstance(node, Group):
            entry["advice"] = say("tiers.advice", lang, rule=entry["rule"], now=entry["now"])
            entry["advice"] += _change(node, gaps.get(trace["id"]), lang)
        words[trace["id"]] = entry
    return words


def _change(node: Node, gap: dict[str, Any] | None, lang: str) -> str:
    """「：2024 年（前年）研发费用需增加 10万元」 when the input to change is not the measured value itself (ratios,
    growth, means), with its year when it is one year of a series."""
    change = (gap or {}).get("change")
    if not change or not isinstance(node, Compare) or isinstance(node.left, FactValue | Item):
        return ""
    delta = change["delta"]
    direction = "more" if delta > 0 else "less"
    return say(
        f"tiers.change.{direction}",
        lang,
        fact=input_words(change["fact"], change.get("index"), change.get("year"), lang),
        amount=number(abs(delta)),
        unit=fact_unit(change["fact"], lang),
    )


def _index(node: Node, into: dict[str, Node]) -> None:
    into[node.id] = node
    if isinstance(node, Group):
        for child in node.children:
            _index(child, into)


def _walk(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for trace in traces:
        found.append(trace)
        found.extend(_walk(trace.get("children", [])))
    return found


def facts_to_supply(missing: dict[str, list[str]], titles: dict[str, str], lang: str) -> list[dict[str, Any]]:
    """「还缺什么」: each missing fact once, in words with its unit, and the policies it would decide."""
    needed: dict[str, list[str]] = {}
    for policy, facts in missing.items():
        for fact in facts:
            needed.setdefault(fact, []).append(titles.get(policy, policy))
    return [
        {"fact": fact, "label": fact_label(fact, lang), "unit": fact_unit(fact, lang), "policies": policies}
        for fact, policies in needed.items()
    ]


def describe_results(results: list[dict[str, Any]], lang: str, titles: dict[str, str]) -> dict[str, dict[str, Words]]:
    """policy id → criterion id → words, for every detailed result of a shipped policy version."""
    versions = {(policy.id, policy.version): policy for policy in shipped_policies()}
    described: dict[str, dict[str, Words]] = {}
    for result in results:
        policy = versions.get((result["policy"], str(result.get("version"))))
        if policy is not None and "criteria" in result:
            described[result["policy"]] = describe_result(policy, result, lang, titles)
    return described


def show_fact(fact: str, raw: Any, lang: str, titles: dict[str, str]) -> str:
    """A stored fact as people read it: 「4000 / 4500 / 5000万元」, 「是」, 「国家级 2022（排名 2）」."""
    spec = load_fact_specs().get(fact)
    unit = fact_unit(fact, lang)
    if raw is None:
        return say("tiers.now_missing", lang)
    if isinstance(raw, bool):
        return say(f"tiers.bool.{str(raw).lower()}", lang)
    if spec is not None and spec.type == "share" and isinstance(raw, int | float):
        return number(raw, percent=True)
    if isinstance(raw, int | float):
        return say("tiers.amount", lang, value=number(raw), unit=unit)
    if isinstance(raw, list) and all(isinstance(x, int | float) or x is None for x in raw):
        values = " / ".join("—" if x is None else number(x) for x in raw)
        return say("tiers.amount", lang, value=values, unit=unit)
    if isinstance(raw, list):
        return translate("tiers.list_sep", lang).join(_show_item(item, lang, titles) for item in raw)
    return term(str(raw), lang, titles)


def show_change(fact: str, raw: Any, lang: str, titles: dict[str, str], as_of: date) -> str:
    """A what-if change as people read it: a value as `show_fact`; one year of a series with its year
    (「2024 年（前年） 100万元」)."""
    if isinstance(raw, dict) and isinstance(raw.get("index"), int):
        when = year_words(raw["index"], as_of.year + raw["index"], lang)
        return f"{when} {show_fact(fact, raw.get('value'), lang, titles)}"
    return show_fact(fact, raw, lang, titles)


def _show_item(item: Any, lang: str, titles: dict[str, str]) -> str:
    if not isinstance(item, dict):
        return term(str(item), lang, titles)
    text = " ".join(str(part) for part in (term(str(item.get("level", "")), lang, {}), item.get("year")) if part)
    rank = item.get("rank")
    return text if rank is None else text + say("tiers.rank_of", lang, rank=rank)


def expected(spec: FactSpec, lang: str) -> str:
    """What a value of this fact looks like, for an error message: 「应为数字（万元）」."""
    unit = spec.unit(lang)
    hint = say(f"tiers.expect.{spec.type}", lang)
    return hint + say("tiers.expect_unit", lang, unit=unit) if unit else hint


def criterion_labels(lang: str) -> dict[tuple[str, str], str]:
    """(policy id, criterion id) → the criterion's label in `lang`, over every shipped version (a later version's
    label wins), so a pool row's failing criteria are named, not listed by id."""
    labels: dict[tuple[str, str], str] = {}
    for policy in sorted(shipped_policies(), key=lambda p: p.effective_from):
        stack: list[Node] = [policy.criteria]
        while stack:
            node = stack.pop()
            labels[(policy.id, node.id)] = node.label.get(lang, node.id)
            if isinstance(node, Group):
                stack.extend(node.children)
    return labels
