"""Query understanding for needs: what a need is about, what it asks to solve, and what is only wrapping.

A need such as 「罗茨鼓风机低频脉动噪声大，寻求解决方案」 is segmented (rjieba, plain mode) and each word gets a role:
- boilerplate (`data/need/boilerplate.txt`: 问题, 解决方案, 相关, 需求 …) says nothing about the subject and is
  dropped;
- modifiers (`data/need/modifiers.txt`: 新型, 高效, 提高 …) qualify the subject and keep a small weight;
- Latin acronyms (TPU, FMCW, PTA, 304) are whole tokens: never split into character grams, matched only at token
  boundaries, so FMC does not match FMCW and TPU does not match inside a longer Latin word; a Latin token of
  LATIN_NAME_CHARS or more is a name (openswim, a patent number) and keeps its grams as well;
- a term ending like a hydrocarbon's name (聚丙烯, 乙烯, 甲苯) is not found inside another substance's name
  (聚丙烯腈, 聚乙烯醇, 四氟乙烯: `data/need/substances.txt`, `contains_term`), neither in a record's text nor
  among the words it is indexed under (`own_substance_words`);
- a word rjieba cut into single characters because it holds a rare one (二噁英 → 二/噁/英, 硼泥) is joined back
  into one content word, never through a grammatical character (`data/need/particles.txt`: 较, 不, 大 …);
- the rest is content; a content word holding a problem cue (`data/need/problems.txt`: 噪声, 寿命, 腐蚀 …) is a
  problem concept, the others are object concepts.

When a query has no content word (a bare keyword such as 优化设计), or is a single short term (研究中心), its
modifiers and boilerplate count as content, so nothing a user typed is ever ignored. `coverage` scores how much of
the need a record covers: the weighted share of the object concepts and of the problem concepts present, averaged
over the two groups; each concept weighs by its role and by its idf in the index searched, squared
(`weigh_by_technicality`), and a concept a record lacks still earns the share of its longest sub-word the record
holds (`concept_parts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from techbridge.errors import InvalidDataError
from techbridge.search.bm25 import bm25_idf
from techbridge.search.tokenize import CJK_CHAR, MIN_STEM_CHARS, Segmenter, normalize_text, read_word_lines, stem_latin

NEED_DIR = "data/need"
MODIFIER_WEIGHT = 0.25
"""Weight of a modifier (query grams, words and concepts) against a content word's 1."""
LATIN_NAME_CHARS = 5
"""A Latin token this long or longer is a name (openswim, magichand, zl202011209524.3), not an acronym (tpu, fmcw,
pta, car): it keeps its character bigrams, so a product line or a patent-number prefix still matches in part."""
BOILERPLATE_GRAM_WEIGHT = 0.3
"""Weight of boilerplate's character bigrams (方法, 装置 in patent-like titles are weak evidence, not none)."""
LATIN_WORD_BOOST = 4.0
"""Words-field boost of a Latin token, which has no character grams: 4 × the words field's 0.5 = 2, what a
three-character Chinese word's two bigrams weigh. At 2 (one bigram's worth) an acronym that names the need's
object (IGBT, SLM, PCR, SCR) lost to two common Chinese words of the same need (电动汽车 + 电机). `bench.retrieval`
measures 2 and 6 beside it in every run (the `lexical, Latin boost` rows of docs/benchmarks.md)."""

TECHNICALITY_POWER = 2.0
"""Power of a concept's relative idf in its coverage weight: squared, as a word counts in a TF-IDF cosine (idf in
the need's vector times idf in the record's), so a record holding only the generic words of a need (处理, 装备 of
新型高效钢渣处理装备) covers much less of it than one holding the technical word (钢渣). At 1 (until 2026-12-04)
the generic pair still covered about as much as 钢渣; `bench.retrieval` measures 1 beside it in every run."""

SHORT_QUERY_UNITS = 4
"""A query of at most this many characters (a Latin word counts one) is one term (研究中心, 城市设计, 智能交通):
its boilerplate and modifiers are part of the term, not wrapping (measured on csl-keyword, docs/benchmarks.md)."""

GUESSED_WORD_CHARS = 2
"""A word the segmenter guessed gets its bigrams as parts only when longer than this (a guessed two-character
word has no smaller part)."""

_LATIN = re.compile(r"[a-z0-9][a-z0-9.+\-]*")
_CJK_ONLY = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_ALNUM = re.compile(r"[a-z0-9]")
_BARE_QUANTITY = re.compile(r"[0-9]{1,2}|[0-9]+\.[0-9a-z.]*|[a-z]")
"""Latin tokens that name nothing: a one- or two-digit number (2, 20), a decimal (0.5, 13.0) or a single letter (the
m of 20 g/m). An abstract's figures made them query words weighted like a three-character term, so an achievement
on wool carding found xAI (Grok 2, Grok 3) and Physical Intelligence (π0.5) as adopters. Longer numbers (304 stainless
steel, 6061 aluminium) and letter-digit names (5g, q235, v3) stay."""
_CJK = CJK_CHAR
_ENGLISH = re.compile(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])")


class Role(StrEnum):
    """What a query word does in a need."""

    STOP = "stop"
    BOILERPLATE = "boilerplate"
    MODIFIER = "modifier"
    LATIN = "latin"
    NAME = "name"
    CONTENT = "content"


@dataclass(frozen=True)
class NeedWords:
    """The curated word lists of `data/need/`."""

    boilerplate: frozenset[str]
    modifiers: frozenset[str]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    """One thing a record should mention to cover the need."""

    text: str
    weight: float
    is_problem: bool = False
    parts: tuple[str, ...] = ()
    """Sub-words for partial credit (`concept_parts`: 罗茨鼓风机 → 罗茨, 鼓风, 风机, 鼓风机; a word rjieba only
    guessed, 脱硝后 → 脱硝, 硝后)."""
    is_latin: bool = field(init=False)
    """A Latin token (matched at token boundaries only, no partial credit)."""
    has_latin_edge: bool = field(init=False)
    """Starts or ends with a Latin letter or digit (so a match needs a token-boundary check)."""
    is_plain: bool = field(init=False)
    """Found by a plain substring test: no Latin edge and no hydrocarbon ending (`contains_term`)."""
    part_shares: tuple[tuple[str, float, bool], ...] = field(init=False)
    """The parts with their share of the concept's length and whether each is plain, the longest first."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_latin", is_latin(self.text))
        object.__setattr__(self, "has_latin_edge", has_latin_edge(self.text))
        object.__setattr__(self, "is_plain", _is_plain(self.text))
        shares = sorted(((p, len(p) / len(self.text), _is_plain(p)) for p in self.parts), key=lambda ps: -ps[1])
        object.__setattr__(self, "part_shares", tuple(shares))


@dataclass(frozen=True)
class NeedAnalysis:
    """A need's words with their roles and the concepts a record should cover."""

    words: list[tuple[str, Role]]
    concepts: list[Concept]

    def text_of(self, *roles: Role) -> str:
        """The query text with every word of another role blanked out (a space), for grams and segments."""
        return "".join(w if r in roles else " " for w, r in self.words)

    def words_of(self, *roles: Role) -> list[str]:
        """Distinct words of the given roles, in order."""
        return list(dict.fromkeys(w for w, r in self.words if r in roles and w.strip()))


def _read(name: str) -> list[str]:
    text = resources.files("techbridge").joinpath(f"{NEED_DIR}/{name}").read_text(encoding="utf-8")
    return [normalize_text(w) for w in read_word_lines(text, f"need/{name}")]


@dataclass(frozen=True)
class SubstanceRules:
    """`data/need/substances.txt`: where a hydrocarbon's name inside a longer name is another substance."""

    endings: frozenset[str]
    """Last characters of a hydrocarbon's name (烷, 烯, 炔, 苯)."""
    suffixes: frozenset[str]
    """Functional-group characters that make another substance when they follow one (聚丙烯 + 腈)."""
    prefixes: frozenset[str]
    """Halogens that make another substance when they precede one (氟 + 乙烯)."""
    polymer: frozenset[str]
    """First characters of a term a preceding halogen does not change (含氟聚乙烯 is still polyethylene)."""


@lru_cache(maxsize=1)
def load_substance_rules() -> SubstanceRules:
    """The shipped substance-name rules (`data/need/substances.txt`)."""
    source = f"{NEED_DIR}/substances.txt"
    return parse_substance_rules(resources.files("techbridge").joinpath(source).read_text(encoding="utf-8"), source)


def parse_substance_rules(text: str, source: str) -> SubstanceRules:
    """Rules from lines of `<kind> <characters>`; an unknown kind or a line without characters is an error naming
    the line."""
    chars: dict[str, set[str]] = {kind: set() for kind in ("ending", "suffix", "prefix", "polymer")}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].split()
        if not entry:
            continue
        if len(entry) != 2 or entry[0] not in chars:
            raise InvalidDataError(
                f"expected '<{'|'.join(chars)}> <characters>', got {line.strip()!r}",
                location=(source, f"line {number}"),
                message_zh=f"应为「类别 字符」，类别为 {'、'.join(chars)}：{line.strip()}",
            )
        chars[entry[0]].update(normalize_text(entry[1]))
    return SubstanceRules(*(frozenset(chars[k]) for k in ("ending", "suffix", "prefix", "polymer")))


@lru_cache(maxsize=1)
def load_need_words() -> NeedWords:
    """The shipped boilerplate, modifier and problem-cue lists."""
    return NeedWords(
        frozenset(_read("boilerplate.txt")), frozenset(_read("modifiers.txt")), tuple(_read("problems.txt"))
    )


@lru_cache(maxsize=1)
def load_particles() -> frozenset[str]:
    """The shipped grammatical characters (`data/need/particles.txt`), never joined into a concept."""
    return frozenset(_read("particles.txt"))


def _units(text: str) -> int:
    """Characters of a text with each Latin word counted once and punctuation and spaces not at all."""
    norm = _LATIN.sub("a", normalize_text(text))
    return len(_CJK.findall(norm)) + norm.count("a")


def is_latin(word: str) -> bool:
    """Latin letters/digits only (fpga, 5g, ti-6al-4v, 304), already normalised."""
    return bool(_LATIN.fullmatch(word))


def word_role(word: str, segmenter: Segmenter, lists: NeedWords) -> Role:
    """The role of one normalised, stripped query word."""
    if not word or not (_CJK.search(word) or _ALNUM.search(word)):
        return Role.STOP
    if word in lists.boilerplate:
        return Role.BOILERPLATE
    if word in segmenter.stopwords:
        return Role.STOP
    if word in lists.modifiers:
        return Role.MODIFIER
    if not is_latin(word):
        return Role.CONTENT
    if _BARE_QUANTITY.fullmatch(word):
        return Role.STOP
    return Role.NAME if len(word) >= LATIN_NAME_CHARS else Role.LATIN


def analyse_need(text: str, segmenter: Segmenter) -> NeedAnalysis:
    """Roles of the need's words (promoted when nothing is content) and its concepts."""
    lists = load_need_words()
    words = [
        (w, word_role(w, segmenter, lists) if joined else r)
        for w, r, joined in join_single_characters(
            [(w, word_role(w.strip(), segmenter, lists)) for w in segmenter.cut(text)], load_particles()
        )
    ]
    roles = {r for _, r in words}
    if not roles & {Role.CONTENT, Role.LATIN, Role.NAME} or _units(text) <= SHORT_QUERY_UNITS:
        words = [(w, Role.CONTENT if r in (Role.MODIFIER, Role.BOILERPLATE) else r) for w, r in words]
    concepts = [replace(c, parts=concept_parts(c.text, segmenter)) for c in find_concepts(words, lists)]
    return NeedAnalysis(words, concepts)


def join_single_characters(words: list[tuple[str, Role]], particles: frozenset[str]) -> list[tuple[str, Role, bool]]:
    """Runs of two or more one-character content words joined into one content word: rjieba cuts a word holding a
    rare character into single characters (二噁英 → 二/噁/英, 硼泥 → 硼/泥), which as concepts would be dropped
    (single characters count only when nothing longer does), losing what the need is about. A grammatical
    character (`data/need/particles.txt`: 较, 不, 而, 大 …) ends a run and is never joined (成本较高 keeps 较/高).
    The third field says a word was joined: its role is then looked up again (降本 is a modifier)."""
    joined: list[tuple[str, Role, bool]] = []
    run: list[str] = []
    for word, role in [*words, ("", Role.STOP)]:
        if role is Role.CONTENT and len(word) == 1 and _CJK.match(word) and word not in particles:
            run.append(word)
            continue
        if len(run) > 1:
            joined.append(("".join(run), Role.CONTENT, True))
        else:
            joined.extend((w, Role.CONTENT, False) for w in run)
        run = []
        if word:
            joined.append((word, role, False))
    return joined


def concept_parts(word: str, segmenter: Segmenter) -> tuple[str, ...]:
    """The sub-words that earn a concept partial credit: its search-mode sub-words (罗茨鼓风机 → 罗茨, 鼓风, 风机,
    鼓风机); for a Chinese word the dictionary does not know, which rjieba's HMM guessed by gluing characters
    (脱硝后 of SCR脱硝后氨逃逸偏高, 机刀盘 of 盾构机刀盘), also its character bigrams (脱硝, 刀盘), since the
    guessed word itself is seldom in a record."""
    parts = [p for p in segmenter.tokenize_normalized(word) if 1 < len(p) < len(word)]
    if len(word) > GUESSED_WORD_CHARS and _CJK_ONLY.fullmatch(word) and not segmenter.knows(word):
        parts += [word[i : i + 2] for i in range(len(word) - 1)]
    return tuple(dict.fromkeys(parts))


def find_concepts(words: list[tuple[str, Role]], lists: NeedWords) -> list[Concept]:
    """Content, Latin and modifier words as concepts; single Chinese characters only when nothing longer is."""
    seen: dict[str, Concept] = {}
    for word, role in words:
        word = word.strip()
        if role not in (Role.CONTENT, Role.LATIN, Role.NAME, Role.MODIFIER) or word in seen:
            continue
        weight = MODIFIER_WEIGHT if role == Role.MODIFIER else 1.0
        problem = role == Role.CONTENT and any(cue in word for cue in lists.problems)
        seen[word] = Concept(word, weight, problem)
    concepts = list(seen.values())
    longer = [c for c in concepts if len(c.text) > 1 or c.is_latin]
    return longer or concepts


def weigh_by_technicality(
    concepts: list[Concept], doc_freq: Callable[[str], int], n_docs: int, power: float = TECHNICALITY_POWER
) -> list[Concept]:
    """Concepts with their weight scaled by how technical they are in this index: (Lucene's BM25 idf of the word
    (`bm25.bm25_idf`) over the idf of a word no document holds) ** `power`, so 主要 or 处理 (in
    thousands of records) count a small fraction of 鼓风机, 钢渣 or fmcw."""
    if n_docs <= 0:
        return concepts
    top = bm25_idf(n_docs, 0)
    return [
        replace(c, weight=c.weight * (bm25_idf(n_docs, min(doc_freq(c.text), n_docs)) / top) ** power) for c in concepts
    ]


@lru_cache(maxsize=4096)
def has_latin_edge(term: str) -> bool:
    """Whether the term starts or ends with a Latin letter or digit (asked for the same few query terms against
    every candidate, hence kept)."""
    return bool(term) and bool(_ALNUM.match(term[0]) or _ALNUM.match(term[-1]))


def has_substance_edge(term: str) -> bool:
    """Whether the term ends like a hydrocarbon's name (聚丙烯, 乙烯, 甲苯), so an occurrence inside another
    substance's name does not count (`load_substance_rules`)."""
    return bool(term) and term[-1] in load_substance_rules().endings


def _is_plain(term: str) -> bool:
    return not (has_latin_edge(term) or has_substance_edge(term))


def contains_term(norm_text: str, term: str, *, latin_edge: bool | None = None) -> bool:
    """Whether normalised text holds the term; a term starting or ending in a Latin letter or digit must not
    continue a longer Latin token there (fmc is not in fmcw, tpu is in 刹那tpu芯片), and an English word is
    also found in another number (battery in batteries, `tokenize.stem_latin`); a hydrocarbon's name must not
    be part of another substance's name (聚丙烯 is not in 聚丙烯腈, `has_substance_edge`). `latin_edge` may pass
    a precomputed `has_latin_edge(term)`."""
    if has_latin_edge(term) if latin_edge is None else latin_edge:
        return _contains_latin(norm_text, term) or has_english_word(norm_text, term)
    if has_substance_edge(term):
        return _contains_substance(norm_text, term)
    return term in norm_text


def has_english_word(norm_text: str, word: str) -> bool:
    """Whether normalised text holds an English word with the same stem as `word` (a word of letters only)."""
    stem = stem_latin(word)
    if len(word) < MIN_STEM_CHARS or not _ENGLISH.fullmatch(word) or stem[:-1] not in norm_text:
        return False
    return any(stem_latin(w) == stem for w in _ENGLISH.findall(norm_text))


def _contains_latin(norm_text: str, term: str) -> bool:
    start = norm_text.find(term)
    while start >= 0:
        end = start + len(term)
        before_ok = start == 0 or not (_ALNUM.match(term[0]) and _ALNUM.match(norm_text[start - 1]))
        after_ok = end == len(norm_text) or not (_ALNUM.match(term[-1]) and _ALNUM.match(norm_text[end]))
        if before_ok and after_ok:
            return True
        start = norm_text.find(term, start + 1)
    return False


def _contains_substance(norm_text: str, term: str) -> bool:
    rules = load_substance_rules()
    halogen_counts = term[0] not in rules.polymer
    start = norm_text.find(term)
    while start >= 0:
        end = start + len(term)
        continued = end < len(norm_text) and norm_text[end] in rules.suffixes
        substituted = halogen_counts and start > 0 and norm_text[start - 1] in rules.prefixes
        if not (continued or substituted):
            return True
        start = norm_text.find(term, start + 1)
    return False


def own_substance_words(words: list[str], norm_text: str) -> list[str]:
    """The words of a text without a hydrocarbon's name found there only inside other substances' names: rjieba's
    search mode yields 聚丙烯 and 丙烯 as sub-words of 聚丙烯腈, which would match a need for polypropylene."""
    endings = load_substance_rules().endings
    kept: dict[str, bool] = {}
    out = []
    for word in words:
        if word and word[-1] in endings:
            keep = kept.get(word)
            if keep is None:
                keep = kept[word] = _contains_substance(norm_text, word)
            if not keep:
                continue
        out.append(word)
    return out


def concept_presence(concept: Concept, norm_text: str) -> float:
    """1 when the concept is in the text; otherwise the longest of its parts (`concept_parts`) found there, as a
    share of its length (罗茨鼓风机 → 鼓风机 0.6, 鼓风 0.4); Latin tokens count whole or not at all."""
    # for a plain term `contains_term` is a substring test: made here, without the call (~200 records a need)
    found = concept.text in norm_text if concept.is_plain else contains_term(norm_text, concept.text)
    if found:
        return 1.0
    if concept.is_latin:
        return 0.0
    return next((share for part, share, plain in concept.part_shares if _holds(norm_text, part, plain)), 0.0)


def _holds(norm_text: str, term: str, plain: bool) -> bool:
    return term in norm_text if plain else contains_term(norm_text, term)


def coverage(concepts: list[Concept], norm_text: str) -> float:
    """Weighted share of the need's concepts in the text, the object and the problem groups averaged."""
    return coverage_scorer(concepts)(norm_text)


def coverage_scorer(concepts: list[Concept]) -> Callable[[str], float]:
    """`coverage` for one query's concepts, with the groups and their total weights worked out once."""
    groups = [[c for c in concepts if c.is_problem == problem] for problem in (False, True)]
    weighted = [(group, sum(c.weight for c in group)) for group in groups]
    weighted = [(group, total) for group, total in weighted if total > 0]

    def score(norm_text: str) -> float:
        if not weighted:
            return 1.0
        shares = [sum(c.weight * concept_presence(c, norm_text) for c in g) / total for g, total in weighted]
        return sum(shares) / len(shares)

    return score


def object_coverage_scorer(concepts: list[Concept]) -> Callable[[str], float]:
    """`coverage` of what the need is about: its object concepts only (all of them when it names no object), so a
    text sharing only the problem (精度 of FMCW毫米波雷达测距精度提升) covers none of it."""
    return coverage_scorer([c for c in concepts if not c.is_problem] or concepts)


def describe_need(text: str, segmenter: Segmenter) -> dict[str, list[str]]:
    """The need's object, problem, modifiers and dropped boilerplate (for explanations and the CLI)."""
    need = analyse_need(text, segmenter)
    return {
        "object": [c.text for c in need.concepts if not c.is_problem and c.weight == 1.0],
        "problem": [c.text for c in need.concepts if c.is_problem],
        "modifiers": need.words_of(Role.MODIFIER),
        "dropped": need.words_of(Role.BOILERPLATE),
    }
