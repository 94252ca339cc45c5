"""ChainKnowledgeGraph: listed companies (resolved onto A-share enterprises by stock code), Shenwan-2021 industries
(3 levels, as chain nodes and the `shenwan` code table), products, company → industry / product links and
product → product / industry → industry edges.

Source defects handled: stock codes with and without exchange suffix (300054 vs 300054.SZ, lower-case .sz) are
normalized to `300054.SZ`; a code listed twice keeps its first row and takes later full names as aliases when the
listing date agrees (else the row is rejected); product names have line breaks, quotes and control characters
removed, and names that are empty or longer than MAX_PRODUCT_NAME are rejected as noise."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.readers import read_jsonl
from techbridge.imports.schemas import Reason
from techbridge.imports.writer import ensure_nodes, upsert_codes, upsert_edges, upsert_enterprise_nodes

DATASET = "chain_kg"
MAX_PRODUCT_NAME = 64
EXCHANGES = {"深圳证券交易所": "SZ", "上海证券交易所": "SH", "北京证券交易所": "BJ"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\"'“”]+")
_SPACES = re.compile(r"\s+")


def normalize_stock_code(code: str, exchange: str = "") -> str | None:
    """'300054' / '300054.sz' → '300054.SZ'; the suffix comes from the exchange name or the code's first digit."""
    code = code.strip().upper()
    match = re.fullmatch(r"(\d{6})(?:\.(SZ|SH|BJ))?", code)
    if match is None:
        return None
    digits, suffix = match.groups()
    if suffix is None:
        suffix = EXCHANGES.get(exchange) or ("SH" if digits[0] in "69" else "BJ" if digits[0] in "48" else "SZ")
    return f"{digits}.{suffix}"


@cache
def clean_product(name: str) -> str | None:
    """A usable product name, or None for noise (empty, too long)."""
    text = _SPACES.sub(" ", _CONTROL.sub("", name)).strip(" /,，;；:：")
    return text if 0 < len(text) <= MAX_PRODUCT_NAME else None


def run(ctx: ImportContext, path: Path) -> None:
    """Import the chain_kg folder (raw/*.json and derived/*.jsonl)."""
    orgs = _companies(ctx, path / "raw" / "company.json")
    industries = _industries(ctx, path / "raw")
    _company_industries(ctx, path / "raw" / "company_industry.json", orgs, industries)
    company_products = list(read_jsonl(path / "derived" / "company_product.jsonl"))
    product_pairs = list(read_jsonl(path / "derived" / "product_product.jsonl"))
    products = _products(ctx, path, company_products, product_pairs)
    _company_products(ctx, path / "derived" / "company_product.jsonl", company_products, orgs, products)
    _product_edges(ctx, path / "derived" / "product_product.jsonl", product_pairs, products)


def _companies(ctx: ImportContext, path: Path) -> dict[str, int]:
    candidates: dict[str, OrgCandidate] = {}
    times: dict[str, str] = {}
    for number, row in read_jsonl(path):
        code = normalize_stock_code(str(row.get("code", "")), str(row.get("location", "")))
        if code is None or not row.get("fullname"):
            ctx.reject(path, number, "code" if code is None else "fullname", Reason.WRONG_TYPE, str(row.get("code")))
            continue
        fullname, short = str(row["fullname"]).strip(), str(row.get("name", "")).strip()
        if code in candidates:
            if times[code] == row.get("time"):
                candidates[code].aliases.append(fullname)
            else:
                ctx.reject(path, number, "fullname", Reason.CONFLICT, f"{code} already is {candidates[code].name}")
            continue
        times[code] = str(row.get("time", ""))
        fields = {
            "kind": "enterprise",
            "listing_code": code,
            "short_name": short[:128] or None,
            "extra": {"list_date": times[code]},
        }
        candidates[code] = OrgCandidate(code, fullname, fields, [short] if short else [])
    writer = OrgWriter(ctx.session, ctx.regions())
    ids = writer.write(
        list(candidates.values()), dataset=DATASET, source_file=ctx.source_file(path), summary=ctx.summary
    )
    ctx.summary.add("company", len(ids))
    return ids


def _industries(ctx: ImportContext, raw: Path) -> dict[str, int]:
    names: dict[str, tuple[str | None, int | None]] = {}
    codes: list[dict[str, Any]] = []
    for _number, row in read_jsonl(raw / "industry.json"):
        code, name = str(row["code"]), str(row["name"]).strip()
        level = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
        parent = None if level == 1 else code[:2] + "0000" if level == 2 else code[:4] + "00"
        names[name] = (code, level)
        codes.append({"code": code, "title": name, "parent_code": parent, "level": level})
    upsert_codes(ctx.session, "shenwan", codes, summary=ctx.summary)
    ids = ensure_nodes(ctx.session, "industry", names, dataset=DATASET, summary=ctx.summary)
    edges = [
        (ids[row["from_industry"]], ids[row["to_industry"]], "上级行业", 1.0, None)
        for _n, row in read_jsonl(raw / "industry_industry.json")
        if row["from_industry"] in ids and row["to_industry"] in ids
    ]
    for _n, row in read_jsonl(raw / "industry_up.json"):
        for upstream, count in row["ups"].items():
            if upstream in ids and row["industry"] in ids:
                edges.append((ids[upstream], ids[row["industry"]], "上游于", float(count), None))
    upsert_edges(ctx.session, edges, dataset=DATASET, summary=ctx.summary)
    return ids


def _company_industries(ctx: ImportContext, path: Path, orgs: dict[str, int], industries: dict[str, int]) -> None:
    links = []
    for number, row in read_jsonl(path):
        code = normalize_stock_code(str(row["company_code"]))
        if code not in orgs or row["industry_name"] not in industries:
            ctx.reject(path, number, "company_code", Reason.UNKNOWN_CODE, str(row["company_code"]))
            continue
        links.append((orgs[code], industries[row["industry_name"]], "所属行业", None, str(row["industry_code"])))
    upsert_enterprise_nodes(ctx.session, links, dataset=DATASET, summary=ctx.summary)


Rows = list[tuple[int, Any]]


def _products(ctx: ImportContext, path: Path, company_products: Rows, product_pairs: Rows) -> dict[str, int]:
    names: dict[str, tuple[str | None, int | None]] = {}
    for number, row in read_jsonl(path / "raw" / "product.json"):
        name = clean_product(str(row.get("name", "")))
        if name is None:
            ctx.reject(path / "raw" / "product.json", number, "name", Reason.NOISE, str(row.get("name", ""))[:40])
            continue
        names[name] = (None, None)
    for rows, columns in ((company_products, ("product_name",)), (product_pairs, ("from_entity", "to_entity"))):
        for _number, row in rows:
            for column in columns:
                name = clean_product(str(row.get(column, "")))
                if name is not None:
                    names.setdefault(name, (None, None))
    return ensure_nodes(ctx.session, "product", names, dataset=DATASET, summary=ctx.summary)


def _company_products(
    ctx: ImportContext, path: Path, rows: Rows, orgs: dict[str, int], products: dict[str, int]
) -> None:
    links = []
    for number, row in ctx.progress("company→product", len(rows)).iterate(rows):
        code, name = normalize_stock_code(str(row["company_code"])), clean_product(str(row["product_name"]))
        if code not in orgs:
            ctx.reject(path, number, "company_code", Reason.UNKNOWN_CODE, str(row["company_code"]))
        elif name is None:
            ctx.reject(
                path, number, "product_name", Reason.NOISE, json.dumps(row["product_name"], ensure_ascii=False)[:40]
            )
        else:
            links.append((orgs[code], products[name], "主营产品", float(row.get("rel_weight") or 0.0), ""))
    upsert_enterprise_nodes(ctx.session, links, dataset=DATASET, summary=ctx.summary)


def _product_edges(ctx: ImportContext, path: Path, rows: Rows, products: dict[str, int]) -> None:
    edges = []
    for number, row in ctx.progress("product→product", len(rows)).iterate(rows):
        src, dst = clean_product(str(row["from_entity"])), clean_product(str(row["to_entity"]))
        if src is None or dst is None or row.get("rel") not in ("上游材料", "下游产品", "产品小类"):
            ctx.reject(path, number, "from_entity" if src is None else "to_entity", Reason.NOISE)
            continue
        if src != dst:
            edges.append((products[src], products[dst], str(row["rel"]), 1.0, None))
    upsert_edges(ctx.session, edges, dataset=DATASET, summary=ctx.summary)
