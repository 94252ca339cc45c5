"""Tokenizers: the Tokenizer protocol, the rjieba word segmenter with user dictionaries, character n-grams.

Text is NFKC-normalised and lower-cased first. `char_grams` gives character uni+bigrams within runs of letters,
digits and CJK characters (robust to segmentation errors and to partial Latin names such as "openswim" ~
"openfit"); `Segmenter.tokenize` gives dictionary words, Latin/number words kept whole ("fpga", "5g",
"ti-6al-4v"). The lexical index uses both.
"""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Protocol

import rjieba

from techbridge.errors import InvalidDataError

DICT_DIR = "data/dict"
STOPWORDS_RESOURCE = "data/stopwords.txt"
USER_WORD_FREQ = 20000
"""Frequency given to user-dictionary words so rjieba keeps them whole (jieba's dict.txt scale)."""
MAX_CLEAN_MEMO = 500_000
"""Distinct raw words remembered by a segmenter's clean-up memo before it is cleared."""

_TOKEN = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_SEPARATOR = re.compile(r"[^\w\u3400-\u9fff.+\-]+|_")
CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RUN = re.compile(r"[a-z0-9][a-z0-9.+\-]*")
_NON_UNIT = re.compile(r"[^a-z0-9\u3400-\u9fff\uf900-\ufaff ]+")
_LATIN_WORD = re.compile(r"[a-z0-9]{2,}")
_ENGLISH_WORD = re.compile(r"[a-z]{4,}")
MIN_STEM_CHARS = 4
"""English words shorter than this are not stemmed (gas, bus, its stay as they are)."""
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class Tokenizer(Protocol):
    """Anything that turns text into index terms."""

    def tokenize(self, text: str) -> list[str]:
        """Terms of `text`, in order, duplicates kept."""
        ...


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width) and lower case.

    Full-width ASCII and the ideographic space (the full-width punctuation of nearly every Chinese text) are mapped
    to their NFKC images first: NFKC then finds the text already normalised in its quick check instead of
    decomposing it all (~3.5× faster on an abstract; the same result, as NFKC maps each of them to that image)."""
    return unicodedata.normalize("NFKC", _FULL_WIDTH.sub(_half_width, text)).lower()


def _half_width(match: re.Match[str]) -> str:
    return _HALF_WIDTH[match.group()]


def unit_runs(norm: str) -> list[str]:
    """Runs of one-character units (Latin letters, digits, CJK characters) of already normalised text, split at
    punctuation and spaces, each run as a string (no Python loop)."""
    return _NON_UNIT.sub("", _SEPARATOR.sub(" ", norm)).split()


def char_grams(text: str) -> list[str]:
    """Unit unigrams and adjacent-unit bigrams (the reference BM25 representation, Latin words kept whole)."""
    return normalized_char_grams(normalize_text(text))


def normalized_char_grams(norm: str) -> list[str]:
    """`char_grams` of already normalised text."""
    grams: list[str] = []
    for run in unit_runs(norm):
        grams.extend(run)
        grams.extend(map(operator.add, run, run[1:]))
    return grams


def char_bigrams(text: str) -> list[str]:
    """Adjacent-unit bigrams only, in order; a one-unit run yields the unit itself."""
    return normalized_char_bigrams(normalize_text(text))


def normalized_char_bigrams(norm: str) -> list[str]:
    """`char_bigrams` of already normalised text."""
    grams: list[str] = []
    for run in unit_runs(norm):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(map(operator.add, run, run[1:]))
    return grams


class CharGramTokenizer:
    """Tokenizer over unit uni+bigrams."""

    def tokenize(self, text: str) -> list[str]:
        """See `char_grams`."""
        return char_grams(text)


class _CleanWords(dict[str, tuple[str, ...]]):
    """Memo of raw segmenter output → (the word stripped, then each Latin run of a word that mixes Latin and
    Chinese: fpga芯片 → fpga芯片, fpga, so a Latin token is found whole whatever the user dictionary glued to it),
    or () for punctuation and spaces (words repeat a lot); English words are stemmed (`stem_latin`)."""

    def __missing__(self, raw: str) -> tuple[str, ...]:
        word = raw.strip()
        if not word or not _TOKEN.search(word):
            found: tuple[str, ...] = ()
        elif CJK_CHAR.search(word):
            found = (word, *map(stem_latin, _LATIN_RUN.findall(word)))
        else:
            found = (stem_latin(word),)
        self[raw] = found
        return found


class Segmenter:
    """rjieba word segmentation with the shipped dictionary and extra (registry) words; stopwords for queries."""

    def __init__(self, extra_words: Iterable[str] = (), *, search_mode: bool = True) -> None:
        self._jieba = rjieba.Jieba()
        self._search_mode = search_mode
        self._clean = _CleanWords()
        self._splits: dict[str, bool] = {}
        self.stopwords = load_stopwords()
        for word in [*load_dictionary(), *extra_words]:
            self.add_word(word)

    def add_word(self, word: str) -> None:
        """Keep `word` whole when segmenting (ignored when blank or one character)."""
        word = normalize_text(word).strip()
        if len(word) > 1 and not word.isspace():
            self._jieba.add_word(word, USER_WORD_FREQ, None)

    def knows(self, word: str) -> bool:
        """Whether `word` is in the dictionary (rjieba's or the shipped one), not only guessed by its HMM."""
        return self._jieba.has_word(word)

    def tokenize(self, text: str) -> list[str]:
        """Words (search mode adds the sub-words of long words), punctuation and spaces dropped."""
        return self.tokenize_normalized(normalize_text(text))

    def tokenize_normalized(self, norm: str) -> list[str]:
        """`tokenize` of already normalised text."""
        cut = self._segment(norm, search=self._search_mode)
        if len(self._clean) > MAX_CLEAN_MEMO:
            self._clean.clear()
        return list(itertools.chain.from_iterable(map(self._clean.__getitem__, cut)))

    def _is_split(self, word: str) -> bool:
        """Whether rjieba cuts this run of Latin letters and digits apart on its own (memoised)."""
        found = self._splits.get(word)
        if found is None:
            if len(self._splits) > MAX_CLEAN_MEMO:
                self._splits.clear()
            found = self._splits[word] = len(self._jieba.cut(word)) > 1
        return found

    def cut(self, text: str) -> list[str]:
        """Plain (non-overlapping) segmentation of the normalised text, punctuation kept."""
        return self._segment(normalize_text(text), search=False)

    def _segment(self, norm: str, *, search: bool) -> list[str]:
        """rjieba's words, Latin words whole: a dictionary word such as it or ion never cuts lithium or
        positioning apart (`merge_latin_runs`, `widen_latin_runs`); text none of whose Latin words the
        dictionary splits on its own takes the fast path (rjieba's offsets and the merge cost ~1.5× the time)."""
        if not any(map(self._is_split, _LATIN_WORD.findall(norm))):
            return list(self._jieba.cut_for_search(norm) if search else self._jieba.cut(norm))
        if search:
            return widen_latin_runs(norm, self._jieba.tokenize(norm, "search"))
        return merge_latin_runs(norm, self._jieba.tokenize(norm, "default"))

    def query_terms(self, text: str) -> list[str]:
        """Distinct query words without stopwords (all words if every one is a stopword)."""
        words = list(dict.fromkeys(self.tokenize(text)))
        kept = [w for w in words if w not in self.stopwords]
        return kept or words


def stem_latin(word: str) -> str:
    """An English word's plural reduced to its singular (S-stemmer, Harman 1991: batteries → battery,
    cathodes → cathode, processes → process, glass and analysis unchanged); any other word as it is. Both the
    index and the query words pass through it, so "lithium batteries" finds "lithium battery"."""
    if len(word) < MIN_STEM_CHARS or not _ENGLISH_WORD.fullmatch(word):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("es") and word[:-2].endswith(("ss", "x", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


def _cuts_latin(norm: str, at: int) -> bool:
    """Whether a word edge at offset `at` falls inside a run of Latin letters and digits."""
    return 0 < at < len(norm) and norm[at - 1] in _ALNUM and norm[at] in _ALNUM


def merge_latin_runs(norm: str, spans: Iterable[tuple[str, int, int]]) -> list[str]:
    """Plain segmentation from rjieba's non-overlapping (word, start, end) spans, a word that ends inside a run
    of Latin letters and digits merged with the next ones (l + it + hium → lithium, ca + r-t → car-t)."""
    words: list[str] = []
    pending = -1
    for _, start, end in spans:
        begin = start if pending < 0 else pending
        if _cuts_latin(norm, end):
            pending = begin
            continue
        pending = -1
        words.append(norm[begin:end])
    if pending >= 0:
        words.append(norm[pending:])
    return words


def widen_latin_runs(norm: str, spans: Iterable[tuple[str, int, int]]) -> list[str]:
    """Search-mode words from rjieba's (word, start, end) spans, each span that starts or ends inside a run of
    Latin letters and digits widened to the run's edges (pos + it + ion + ing → positioning), once per run;
    hyphens and dots stay word edges (lithium-ion may also give lithium and ion)."""
    words: list[str] = []
    widened: set[tuple[int, int]] = set()
    for word, start, end in spans:
        left, right = start, end
        while _cuts_latin(norm, left):
            left -= 1
        while _cuts_latin(norm, right):
            right += 1
        if (left, right) == (start, end):
            words.append(word)
        elif (left, right) not in widened:
            widened.add((left, right))
            words.append(norm[left:right])
    return words


@lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    """The process-wide segmenter with only the shipped dictionary."""
    return Segmenter()


def read_word_lines(text: str, source: str) -> list[str]:
    """Words of a one-word-a-line file; `#` starts a comment; a word may be followed by a frequency."""
    words: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        word = entry.split()[0]
        if len(word) > 64:
            raise InvalidDataError(
                f"dictionary word too long: {word[:20]}…",
                location=(source, f"line {number}"),
                message_zh=f"词典条目过长：{word[:20]}…",
            )
        words.append(word)
    return words


@lru_cache(maxsize=1)
def load_dictionary() -> tuple[str, ...]:
    """Every word of the shipped `data/dict/*.txt` files."""
    words: list[str] = []
    for entry in sorted(resources.files("techbridge").joinpath(DICT_DIR).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            words.extend(read_word_lines(entry.read_text(encoding="utf-8"), f"dict/{entry.name}"))
    return tuple(words)


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """The shipped query stopwords (function words and generic need words such as 技术, 方法)."""
    text = resources.files("techbridge").joinpath(STOPWORDS_RESOURCE).read_text(encoding="utf-8")
    return frozenset(normalize_text(w) for w in read_word_lines(text, STOPWORDS_RESOURCE))
