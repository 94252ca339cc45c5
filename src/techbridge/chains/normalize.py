"""Product-name normalisation and synonym resolution against the chain vocabulary, keeping the evidence.

Listed companies name their products as annual-report segments ("精对苯二甲酸生产销售", "民用涤纶长丝", "PTA").
`resolve_name` tries, in order, the raw name, the name without brackets, without trade suffixes (生产/销售/制造/分部/
业务 …), without qualifiers (民用/工业 …), and the synonym of each of these (PTA = 精对苯二甲酸); the first candidate
found in the vocabulary wins and the steps taken are returned as evidence. Rules and synonyms are data files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from techbridge.errors import InvalidDataError


@dataclass(frozen=True, slots=True)
class Rules:
    """Normalisation rules: bracket pairs, trade suffixes, qualifier prefixes, synonyms, minimum length."""

    brackets: tuple[str, ...]
    suffixes: tuple[str, ...]
    qualifiers: tuple[str, ...]
    synonyms: dict[str, str]
    min_length: int = 2


@dataclass(frozen=True, slots=True)
class Resolution:
    """A raw name resolved to a vocabulary name, with the steps that led there."""

    raw: str
    name: str
    steps: tuple[str, ...]

    @property
    def evidence(self) -> str:
        """One line: `raw → name (steps)`, or just the name when it matched as is."""
        if not self.steps:
            return self.raw
        return f"{self.raw} → {self.name} ({'; '.join(self.steps)})"


def _text(name: str) -> str:
    return (resources.files("techbridge") / "data" / "chains" / name).read_text(encoding="utf-8")


def parse_synonyms(text: str, *, source: str = "synonyms.csv") -> dict[str, str]:
    """`alias,canonical,note` rows → {alias: canonical}; blank or self-mapping rows are data errors."""
    table: dict[str, str] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        alias, canonical = (row.get("alias") or "").strip(), (row.get("canonical") or "").strip()
        if not alias or not canonical or alias == canonical:
            raise InvalidDataError("alias and canonical must be two different names", location=(source, number))
        if alias in table:
            raise InvalidDataError("alias listed twice", location=(source, number))
        table[alias] = canonical
    return table


def parse_rules(raw: Any, synonyms: dict[str, str], *, source: str = "normalize.yaml") -> Rules:
    """Validate the YAML rules document and combine it with the synonym table."""
    if not isinstance(raw, dict):
        raise InvalidDataError("expected a mapping", location=(source,))
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("brackets", "suffixes", "qualifiers"):
        value = raw.get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise InvalidDataError("expected a list of non-empty strings", location=(source, key))
        lists[key] = tuple(value)
    if any(len(pair) != 2 for pair in lists["brackets"]):
        raise InvalidDataError("a bracket entry is an opening and a closing character", location=(source, "brackets"))
    min_length = raw.get("min_length", 2)
    if not isinstance(min_length, int) or min_length < 1:
        raise InvalidDataError("expected a positive integer", location=(source, "min_length"))
    return Rules(lists["brackets"], lists["suffixes"], lists["qualifiers"], synonyms, min_length)


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The shipped rules (`data/chains/normalize.yaml`) and synonyms (`data/chains/synonyms.csv`)."""
    return parse_rules(yaml.safe_load(_text("normalize.yaml")), parse_synonyms(_text("synonyms.csv")))


def strip_brackets(name: str, rules: Rules) -> str:
    """Remove bracketed asides such as "(含税)" or "（PTA）" and surrounding whitespace."""
    out = name
    for pair in rules.brackets:
        opening, closing = pair[0], pair[1]
        while opening in out and closing in out.split(opening, 1)[1]:
            head, rest = out.split(opening, 1)
            out = head + rest.split(closing, 1)[1]
    return out if out.isprintable() and " " not in out else "".join(out.split())


@lru_cache(maxsize=8)
def _suffix_pattern(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(re.escape(s) for s in suffixes) + ")$")


def strip_suffixes(name: str, rules: Rules) -> str:
    """Remove trade suffixes (生产销售, 制造, 分部 …) repeatedly, never below the minimum length."""
    pattern = _suffix_pattern(rules.suffixes)
    while (match := pattern.search(name)) is not None and match.start() >= rules.min_length:
        name = name[: match.start()]
    return name


@lru_cache(maxsize=8)
def _qualifier_pattern(qualifiers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("^(?:" + "|".join(re.escape(q) for q in qualifiers) + ")")


def strip_qualifiers(name: str, rules: Rules) -> str:
    """Remove one leading qualifier (民用, 工业 …), never below the minimum length."""
    match = _qualifier_pattern(rules.qualifiers).match(name)
    if match is not None and len(name) - match.end() >= rules.min_length:
        return name[match.end() :]
    return name


def normalize_name(name: str, rules: Rules | None = None) -> str:
    """The fully normalised form of a product name (brackets, suffixes and qualifiers removed)."""
    rules = rules or load_rules()
    return strip_suffixes(strip_qualifiers(strip_suffixes(strip_brackets(name, rules), rules), rules), rules)


def candidate_names(raw: str, rules: Rules) -> list[tuple[str, tuple[str, ...]]]:
    """Candidate vocabulary names for `raw`, each with the steps producing it, in order of preference."""
    bare = strip_brackets(raw, rules)
    base = strip_suffixes(bare, rules)
    unqualified = strip_qualifiers(base, rules)
    qualified = strip_suffixes(unqualified, rules)
    stages: list[tuple[str, tuple[str, ...]]] = [(raw, ())]
    if bare != raw:
        stages.append((bare, ("brackets removed",)))
    if base != bare:
        stages.append((base, (*stages[-1][1], f"suffix {bare[len(base) :]} removed")))
    if qualified != base:
        stages.append((qualified, (*stages[-1][1], f"qualifier {base[: len(base) - len(unqualified)]} removed")))
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, steps in stages:
        if len(name) < rules.min_length:
            continue
        out.append((name, steps))
        if name in rules.synonyms:
            out.append((rules.synonyms[name], (*steps, f"synonym {name} = {rules.synonyms[name]}")))
    return out


def resolve_name(raw: str, vocabulary: Collection[str], rules: Rules | None = None) -> Resolution | None:
    """The first candidate of `raw` present in `vocabulary`, with the evidence; None when nothing matches."""
    rules = rules or load_rules()
    for name, steps in candidate_names(raw, rules):
        if name in vocabulary:
            return Resolution(raw, name, steps)
    return None
