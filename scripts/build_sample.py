"""Build the redistributable sample that ships inside the package (src/techbridge/data/sample/).

A fresh clone without ../shared/data loads this sample instead, so someone trying techbridge from its repository sees
every capability work on real (if small) data. Only sources whose licence allows redistribution go in, each filtered
mechanically and kept in the same folder layout and file format as ../shared/data, so the same importers read it:

    python scripts/build_sample.py [--source ../shared/data] [--target src/techbridge/data/sample]

The list of files and filters is `SAMPLE_FILES` below; NOTICE.md (written beside them) names each source and licence.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RowFilter = Callable[[dict[str, str]], bool]


@dataclass(frozen=True)
class SampleFile:
    """One file of the sample: where it comes from, how it is filtered, which source and licence it carries."""

    path: str
    source: str
    licence: str
    keep: RowFilter | None = None  # CSV row filter; None copies the file byte for byte
    note: str = "copied unchanged"


def _ipc_to_subclass(row: dict[str, str]) -> bool:
    return row.get("level") in {"section", "class", "subclass"}


def _in_liaoning(row: dict[str, str]) -> bool:
    return row.get("liaoning") == "1"


ADMIN = "NBS 2023 administrative division codes (modood/Administrative-divisions-of-China), WTFPL"
IPC = "IPC 2026.01 Chinese titles, WIPO IPC scheme (CC BY 4.0), CNIPA Chinese edition"
CSL = "CSL: Chinese Scientific Literature dataset (ydli-ai/CSL), Apache-2.0"
KAG = "OpenSPG/KAG supply-chain example (antgroup/openspg KAG), Apache-2.0"
NSFC = "NSFC management-sciences funded projects (Tsai1993/Fund), MPL-2.0; public NSFC award data"
YEARBOOK = "中国科技统计年鉴 technology-market tables (huhuaping/techme R package), MIT"

SAMPLE_FILES: tuple[SampleFile, ...] = (
    SampleFile("admin_divisions/raw/provinces.csv", ADMIN, "WTFPL"),
    SampleFile("admin_divisions/raw/cities.csv", ADMIN, "WTFPL"),
    SampleFile("admin_divisions/raw/areas.csv", ADMIN, "WTFPL"),
    SampleFile("admin_divisions/raw/LICENSE", ADMIN, "WTFPL"),
    SampleFile("ipc_zh_2026/ipc_zh_2026_01.csv", IPC, "CC BY 4.0", _ipc_to_subclass, "sections, classes, subclasses"),
    SampleFile("csl/derived/csl_benchmark_2000.jsonl", CSL, "Apache-2.0"),
    *(
        SampleFile(f"kag_supplychain_sample/{name}", KAG, "Apache-2.0")
        for name in ("Company.csv", "Industry.csv", "Product.csv", "ProductChainEvent.csv", "LICENSE")
    ),
    SampleFile(
        "nsfc_mgmt_projects/derived/experts_all.csv", NSFC, "MPL-2.0", _in_liaoning, "experts at Liaoning institutions"
    ),
    SampleFile(
        "nsfc_mgmt_projects/derived/nsfc_g_projects.csv", NSFC, "MPL-2.0", _in_liaoning, "Liaoning institutions only"
    ),
    SampleFile("nsfc_mgmt_projects/raw/LICENSE", NSFC, "MPL-2.0"),
    SampleFile("tech_market_flows/derived/tech_market_flows_long.csv", YEARBOOK, "MIT"),
    SampleFile("tech_market_flows/raw/LICENSE.md", YEARBOOK, "MIT"),
)


def _filtered_rows(path: Path, keep: RowFilter) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames is not None, f"{path}: no header"
        yield list(reader.fieldnames)
        for row in reader:
            if keep(row):
                yield [row[name] for name in reader.fieldnames]


def copy_file(spec: SampleFile, source: Path, target: Path) -> int:
    """Copy (or filter) one file; returns the number of data rows written (-1 for a verbatim copy)."""
    src, dst = source / spec.path, target / spec.path
    dst.parent.mkdir(parents=True, exist_ok=True)
    if spec.keep is None:
        shutil.copyfile(src, dst)
        return -1
    rows = _filtered_rows(src, spec.keep)
    with dst.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(rows)
    return _data_rows(dst)


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def write_notice(target: Path, counts: dict[str, int]) -> None:
    """NOTICE.md: every file, its source, licence and filter."""
    lines = [
        "# NOTICE: the bundled sample",
        "",
        "techbridge ships this small sample so that a clone without `../shared/data` shows every capability on real",
        "data. It is built by `scripts/build_sample.py` from the shared data folder; only sources whose licence allows",
        "redistribution are included. Each file keeps its source's layout and is filtered as stated.",
        "",
        "| file | source | licence | filter | rows |",
        "|---|---|---|---|---|",
    ]
    for spec in SAMPLE_FILES:
        rows = counts[spec.path]
        lines.append(
            f"| `{spec.path}` | {spec.source} | {spec.licence} | {spec.note} | {'—' if rows < 0 else f'{rows:,}'} |"
        )
    lines += ["", "The licence texts that the sources ship are kept beside their files (`LICENSE`, `LICENSE.md`).", ""]
    (target / "NOTICE.md").write_text("\n".join(lines), encoding="utf-8")
    (target / "manifest.json").write_text(json.dumps(counts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def build(source: Path, target: Path) -> dict[str, int]:
    """Write the whole sample under `target` from `source` (the shared data folder)."""
    if target.exists():
        shutil.rmtree(target)
    counts = {spec.path: copy_file(spec, source, target) for spec in SAMPLE_FILES}
    write_notice(target, counts)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line: build the sample and print the size of what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--target", type=Path, default=ROOT / "src" / "techbridge" / "data" / "sample")
    args = parser.parse_args(argv)
    if not (args.source / "README.md").exists():
        sys.stderr.write(f"{args.source}: not the shared data folder\n")
        return 2
    counts = build(args.source, args.target)
    size = sum(p.stat().st_size for p in args.target.rglob("*") if p.is_file())
    sys.stdout.write(f"{len(counts)} files, {size / 1e6:.1f} MB in {args.target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
