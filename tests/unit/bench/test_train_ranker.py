"""The reranker's training data: disjoint from the ickg-patent2company benchmark, built as documented."""

from __future__ import annotations

import json
from pathlib import Path

from bench.train_ranker import bench_ickg, ickg_source, ipc_head, ipc_source, nsfc_source

from tests.conftest import SHARED_DATA, requires_shared_data

BENCH_CORPUS = [
    {"_id": "co-1", "title": "甲科技有限公司", "text": "电池行业\n一种锂电池极片\n一种电池壳体"},
]
BENCH_QUERIES = [{"_id": "pq-1", "text": "一种锂电池隔膜涂覆装置"}]
QUADS = [
    ("train", "甲科技有限公司", "持有专利", "一种新型电池注液机"),
    ("train", "甲科技有限公司", "涉足行业", "电池行业"),
    ("train", "乙机械有限公司", "持有专利", "一种锂电池隔膜涂覆装置"),
    ("train", "乙机械有限公司", "持有专利", "一种锂电池极片"),
    ("train", "乙机械有限公司", "持有专利", "一种齿轮箱润滑结构"),
    ("train", "乙机械有限公司", "持有专利", "一种减速机"),
    ("train", "乙机械有限公司", "涉足行业", "机械行业"),
    ("train", "丙电子有限公司", "持有专利", "一种电路板"),
]


def _write_bench(root: Path) -> Path:
    folder = root / "bench" / "ickg-patent2company"
    folder.mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in BENCH_CORPUS) + "\n")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in BENCH_QUERIES) + "\n")
    return root / "bench"


def _write_quads(root: Path) -> Path:
    path = root / "quads.tsv"
    lines = ["split\thead\trelation\ttail\tdate", *("\t".join([*row, "2025-01-01"]) for row in QUADS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class TestIckgSource:
    def test_benchmark_companies_and_patents_are_left_out(self, tmp_path: Path) -> None:
        source = ickg_source(_write_quads(tmp_path), _write_bench(tmp_path))
        names = {title for title, _ in source.docs.values()}
        texts = "\n".join(body for _, body in source.docs.values()) + "\n".join(source.queries.values())
        assert names == {"乙机械有限公司", "丙电子有限公司"}
        assert "一种锂电池隔膜涂覆装置" not in texts  # a benchmark query
        assert "一种锂电池极片" not in texts  # a patent in the benchmark corpus

    def test_the_query_patent_leaves_its_company_document(self, tmp_path: Path) -> None:
        source = ickg_source(_write_quads(tmp_path), _write_bench(tmp_path))
        ((qid, query),) = source.queries.items()
        (key,) = source.relevant[qid]
        title, body = source.docs[key]
        assert title == "乙机械有限公司"
        assert query in {"一种齿轮箱润滑结构", "一种减速机"}
        assert query not in body.split("\n")
        assert body.split("\n")[0] == "机械行业"

    @requires_shared_data
    def test_no_benchmark_company_in_the_real_training_data(self) -> None:
        bench_dir = SHARED_DATA.parent / "bench"
        names, titles = bench_ickg(bench_dir)
        source = ickg_source(SHARED_DATA / "ickg" / "derived" / "ICKG25_named_quads.tsv", bench_dir)
        assert len(names) == 815
        assert not {title for title, _ in source.docs.values()} & names
        assert not set(source.queries.values()) & titles
        assert source.queries


class TestOtherSources:
    def test_nsfc_title_points_to_its_pi(self, tmp_path: Path) -> None:
        path = tmp_path / "experts.csv"
        path.write_text(
            "pi_name,institution,project_titles\n张三,大连理工大学,技术创新扩散研究；区域创新系统测度\n李四,东北大学,供应链协调\n",
            encoding="utf-8",
        )
        source = nsfc_source(path)
        ((qid, query),) = source.queries.items()
        (key,) = source.relevant[qid]
        assert source.docs[key][0] == "张三"
        assert query not in source.docs[key][1]

    def test_ipc_head_is_the_main_subject(self) -> None:
        assert ipc_head("农业或林业的整地；一般农业机械或农具的部件") == "农业或林业的整地"
        assert ipc_head("手动工具（草坪修整机入A01G3/06）") == "手动工具"

    def test_ipc_subclass_retrieves_its_patents(self, tmp_path: Path) -> None:
        patents = tmp_path / "patents.csv"
        rows = [f"{n},一种装置{n},A01B" for n in range(3)] + ["3,一种方法,G06F|A01B", "4,一种芯片,G06F"]
        patents.write_text("dataset_row,patent_title,true_subclasses_all\n" + "\n".join(rows) + "\n")
        titles = tmp_path / "ipc.csv"
        titles.write_text("code,level,parent,title\nA01B,subclass,A01,整地；农具\nG06F,subclass,G06,电数字数据处理\n")
        source = ipc_source(patents, titles)
        assert source.queries == {"ipc-A01B": "整地"}
        assert source.relevant["ipc-A01B"] == {"cn-0", "cn-1", "cn-2", "cn-3"}
