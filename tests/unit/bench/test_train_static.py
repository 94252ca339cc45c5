"""The static embedding's builder: reads only the shared data's text (never a benchmark, never a keyword field),
and trains the same bytes twice."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import bench.train_static as train_static
import numpy as np
import pytest

from techbridge.search.static import read_model

OPENED: list[str] | None = None
"""Paths opened while a test records them (`_record_opens`)."""


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and OPENED is not None and isinstance(args[0], str | Path):
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)

CSL_ROW = {
    "id": "csl-dev-0000",
    "title": "风机降噪装置设计",
    "abstract": "针对风机噪声大的问题,设计了消声器。实验表明降噪效果良好。",
    "keywords": ["独门关键词"],
}


def _lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _json(row: dict[str, object]) -> str:
    return json.dumps(row, ensure_ascii=False)


def write_data(root: Path) -> Path:
    """A data folder with every source of the builder (a few rows each), and a benchmark folder beside it."""
    data = root / "data"
    _lines(data / "csl/derived/csl_benchmark_2000.jsonl", [_json(CSL_ROW)])
    _lines(data / "csl/derived/csl_train_titles_8000.tsv", ["id\ttitle\tcategory", "t1\t风机消声器研究\t工学"])
    _lines(data / "fewclue_csl/csldcp/train_few_all.json", [_json({"content": "风机噪声控制。消声器设计。"})])
    _lines(data / "fewclue_csl/csl/train_few_all.json", [_json({"abst": "风机降噪。", "keyword": ["另一关键词"]})])
    _lines(
        data / "cn_patents/lxingy3_ipc_titles/oof_predictions.csv",
        ["patent_title,true_subclasses_all", "一种风机消声装置,F04D"],
    )
    _lines(
        data / "ipc_zh_2026/ipc_zh_2026_01.csv", ["code,level,parent,title", "F,section,,机械", "F04D,subclass,F,风机"]
    )
    _lines(data / "chain_kg/derived/product_product.jsonl", [_json({"from_entity": "风机", "to_entity": "消声器"})])
    _lines(
        data / "chain_kg/derived/company_product.jsonl",
        [_json({"company_code": "1", "product_name": "风机", "rel_weight": 0.5})],
    )
    _lines(data / "nsfc_mgmt_projects/derived/nsfc_g_projects.csv", ["title,pi_name", "风机产业创新研究,张三"])
    _lines(
        data / "ickg/derived/ICKG25_named_quads.tsv",
        ["split\thead\trelation\ttail\tdate", "train\t甲公司\t持有专利\t一种风机降噪结构\t2025-01-01"],
    )
    _lines(root / "bench/csl-keyword/queries.jsonl", [_json({"_id": "q1", "text": "风机降噪"})])
    return data


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_data(tmp_path)


@pytest.fixture
def record_opens() -> Iterator[list[str]]:
    global OPENED
    OPENED = []
    yield OPENED
    OPENED = None


class TestTrainingUnits:
    def test_reads_only_the_listed_data_files_never_a_benchmark(self, data: Path, record_opens: list[str]) -> None:
        units = list(train_static.training_units(data))
        assert units
        read = {Path(p).resolve() for p in record_opens if Path(p).resolve().is_relative_to(data.parent)}
        assert read
        assert all(p.is_relative_to(data.resolve()) for p in read)
        assert not any("bench" in p.parts for p in read)

    def test_no_keyword_field_enters(self, data: Path) -> None:
        text = "\n".join(train_static.training_units(data))
        assert "独门关键词" not in text
        assert "另一关键词" not in text

    def test_abstract_sentences_are_separate_units(self, data: Path) -> None:
        units = list(train_static.training_units(data))
        assert "针对风机噪声大的问题,设计了消声器" in units
        assert "实验表明降噪效果良好" in units

    def test_structure_joins_a_patent_title_with_its_subclass_title(self, data: Path) -> None:
        assert "一种风机消声装置 风机" in list(train_static.training_units(data))

    def test_the_default_sources_stay_out_of_the_benchmarks(self) -> None:
        paths = train_static.source_paths(Path("/data"))
        assert all(p.is_relative_to("/data") for p in paths.values())
        assert not any("bench" in p.parts or "keyword" in str(p) for p in paths.values())


class TestTrain:
    def test_the_same_data_gives_the_same_bytes(
        self, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(train_static, "DIM", 3)
        monkeypatch.setattr(train_static, "MIN_COUNT", 2)
        for name in ("one", "two"):
            train_static.write_model(*train_static.train(data), tmp_path / name)
        for file in (train_static.VOCAB_FILE, train_static.VECTORS_FILE):
            assert (tmp_path / "one" / file).read_bytes() == (tmp_path / "two" / file).read_bytes()
        model = read_model(
            (tmp_path / "one" / train_static.VOCAB_FILE).read_text(encoding="utf-8"),
            (tmp_path / "one" / train_static.VECTORS_FILE).read_bytes(),
        )
        assert "风机" in model.index
        assert model.vectors.shape == (len(model.index), 3)
        assert np.linalg.norm(model.vectors, axis=1) == pytest.approx(np.ones(len(model.index)), abs=1e-5)
