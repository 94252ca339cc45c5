"""A policy version as loaded from its data file: identity, document, period in force, criteria and score sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from techbridge.policies.criteria import Group
from techbridge.policies.scores import ScoreSheet

POLICY_IDS = (
    "hnte",
    "tech_sme",
    "innovative_sme",
    "zjtx_sme",
    "little_giant",
    "single_champion",
    "ln_gazelle",
    "ln_unicorn",
    "ln_eaglet",
)


class PolicyVerdict(StrEnum):
    """The verdict of one policy for one enterprise."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Ladder:
    """Where a policy stands on a cultivation ladder (`main`: 科小 → 高企 → … → 单项冠军; `growth`: 雏鹰 → …)."""

    name: str
    rank: int


@dataclass
class Policy:
    """One version of one policy, in force from `effective_from` to `effective_to` (both inclusive)."""

    id: str
    version: str
    title: dict[str, str]
    issuer: str
    document: str
    source_url: str
    effective_from: date
    effective_to: date | None
    ladder: Ladder
    criteria: Group
    score: ScoreSheet | None
    verify: bool
    file: str

    def is_in_force(self, on: date) -> bool:
        """Whether this version applies on `on`."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)
