"""OpenSPG/KAG supply-chain sample (Apache-2.0): product categories as chain nodes named by their full path,
产品小类 edges from a path to its parent and 下游产品 edges from hasSupplyChain. Masked company names are skipped."""

from __future__ import annotations

from pathlib import Path

from techbridge.imports.context import ImportContext
from techbridge.imports.readers import read_csv
from techbridge.imports.writer import ensure_nodes, upsert_edges

DATASET = "kag"


def run(ctx: ImportContext, path: Path) -> None:
    """Import Product.csv of the kag_supplychain_sample folder."""
    rows = [row for _n, row in read_csv(path / "Product.csv") if row.get("id")]
    names: set[str] = set()
    pairs: list[tuple[str, str, str]] = []
    for row in rows:
        product = row["id"].strip()
        names.add(product)
        if "-" in product:
            parent = product.rsplit("-", 1)[0]
            names.add(parent)
            pairs.append((product, parent, "产品小类"))
        for downstream in filter(None, (d.strip() for d in row.get("hasSupplyChain", "").split(","))):
            names.add(downstream)
            pairs.append((product, downstream, "下游产品"))
    ids = ensure_nodes(ctx.session, "product", dict.fromkeys(names, (None, None)), dataset=DATASET, summary=ctx.summary)
    upsert_edges(
        ctx.session,
        [(ids[s], ids[d], r, 1.0, None) for s, d, r in pairs if s != d],
        dataset=DATASET,
        summary=ctx.summary,
    )
