"""What matching returns: filters, explained hits with reasons, highlighted text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from techbridge.i18n.loader import translate
from techbridge.search.tokenize import normalize_text

OwnerType = Literal["university", "institute", "enterprise", "expert"]
"""The owner types an achievement search may be restricted to."""
OWNER_TYPES: tuple[str, ...] = get_args(OwnerType)
EXPERT_FILTERS = ("region", "field")
"""The filters a need's expert list applies (experts have no kind, TRL or owner type)."""
REGION_PARAM = "region"
"""The reason parameter holding a region code, named in the reader's language where the reason is shown."""


@dataclass(frozen=True)
class MatchFilters:
    """Optional restrictions: region prefix, field tag, TRL range, achievement kind, owner type."""

    region: str | None = None
    field: str | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    kind: str | None = None
    owner_type: str | None = None

    def for_entity(self, entity: str) -> MatchFilters:
        """The filters a need's results of `entity` are restricted by: all for achievements, `EXPERT_FILTERS` for
        experts (the need page and a saved search's alerts both apply this)."""
        if entity != "expert":
            return self
        return MatchFilters(region=self.region, field=self.field)

    def saved(self) -> dict[str, str | int]:
        """The filters that are set, as stored with a saved search (JSON)."""
        return {name: value for name, value in vars(self).items() if value is not None and value != ""}

    @classmethod
    def from_saved(cls, stored: dict[str, Any] | None) -> MatchFilters:
        """Filters read back from a saved search; a missing (older row) or malformed one is no filter."""
        stored = stored or {}

        def text(name: str) -> str | None:
            value = stored.get(name)
            return value if isinstance(value, str) and value else None

        def number(name: str) -> int | None:
            value = stored.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(
            region=text("region"),
            field=text("field"),
            trl_min=number("trl_min"),
            trl_max=number("trl_max"),
            kind=text("kind"),
            owner_type=text("owner_type"),
        )


@dataclass(frozen=True)
class Reason:
    """One structured reason behind a match: an i18n key (match.reason.*) and its parameters, language-neutral (a
    region is its code, terms, fields and IPC codes are lists); `shown_params` and `say` put a language's names and
    punctuation in at the page or the API."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def region(self) -> str | None:
        """The region code the reason names (the `local` reason), None when it names none."""
        value = self.params.get(REGION_PARAM)
        return str(value) if value else None

    def shown_params(self, regions: Mapping[str, str], lang: str = "zh") -> dict[str, Any]:
        """The parameters as a page in `lang` shows them: the region code as `regions` names it (code →
        「Shenyang (2101)」 in the page's language; the code itself when `regions` does not know it), a list (terms,
        fields, IPC codes) joined as the language lists things (锂电池、正极材料; FPGA, SCR)."""
        sep = translate("common.list_sep", lang)
        shown = {
            key: sep.join(map(str, value)) if isinstance(value, list) else value for key, value in self.params.items()
        }
        region = self.region
        if region is not None:
            shown[REGION_PARAM] = regions.get(region, region)
        return shown

    def say(self, lang: str, regions: Mapping[str, str]) -> str:
        """The reason as a sentence in `lang`, its region named by `regions`."""
        return translate(f"match.reason.{self.code}", lang, **self.shown_params(regions, lang))


@dataclass(frozen=True)
class Segment:
    """A piece of displayed text; `hit` pieces are matched query terms (rendered as <mark>)."""

    text: str
    hit: bool


@dataclass(frozen=True)
class MatchHit:
    """A ranked record with its explanation."""

    entity: str
    entity_id: int
    title: str
    snippet: str
    score: float
    lexical: float
    semantic: float | None
    matched_terms: list[str]
    reasons: list[Reason]
    is_local: bool = False
    region_code: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def regions(self) -> set[str]:
        """The region codes its reasons name, for the caller to look their names up once for a whole list."""
        return {r.region for r in self.reasons if r.region is not None}

    def as_dict(self, lang: str = "zh", regions: Mapping[str, str] | None = None) -> dict[str, Any]:
        """JSON form for the API: each reason's code and language-neutral parameters (a region as its code), and
        its `text` in `lang`, the region named by `regions` (code → name in `lang`)."""
        named = regions or {}
        return {
            "entity": self.entity,
            "id": self.entity_id,
            "title": self.title,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "lexical": round(self.lexical, 4),
            "semantic": None if self.semantic is None else round(self.semantic, 4),
            "matched_terms": self.matched_terms,
            "reasons": [{"code": r.code, "params": r.params, "text": r.say(lang, named)} for r in self.reasons],
            "is_local": self.is_local,
            "region_code": self.region_code,
            **self.facts,
        }

    def highlighted_title(self) -> list[Segment]:
        """The title split into matched and unmatched pieces."""
        return highlight(self.title, self.matched_terms)

    def highlighted_snippet(self) -> list[Segment]:
        """The snippet split into matched and unmatched pieces."""
        return highlight(self.snippet, self.matched_terms)


def highlight(text: str, terms: list[str]) -> list[Segment]:
    """Split `text` at occurrences of `terms` (case-insensitive, longest first)."""
    if not text or not terms:
        return [Segment(text, False)] if text else []
    norm = normalize_text(text)
    if len(norm) != len(text):
        norm = text.lower()
    spans: list[tuple[int, int]] = []
    for term in sorted(terms, key=len, reverse=True):
        start = norm.find(term) if term else -1
        while start >= 0:
            spans.append((start, start + len(term)))
            start = norm.find(term, start + len(term))
    segments: list[Segment] = []
    done = 0
    for start, end in sorted(spans):  # overlapping or touching spans merge into one marked piece
        if end <= done:
            continue
        if start > done:
            segments.append(Segment(text[done:start], False))
            done = start
        if segments and segments[-1].hit:
            segments[-1] = Segment(segments[-1].text + text[done:end], True)
        else:
            segments.append(Segment(text[done:end], True))
        done = end
    if done < len(text):
        segments.append(Segment(text[done:], False))
    return segments
