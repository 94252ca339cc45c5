"""`techbridge metrics …`: Transfer metrics: local conversion rate, turnover.

Both commands read either the registry's real contracts (demonstration contracts only with `--demo`) or a contracts
CSV in the import format (`--contracts FILE`). In file mode a row with bad data is rejected: every problem is
printed on stderr as `row N, column: message` and the row is left out of the figures; the JSON reports how many
rows were rejected (`rejected_rows`) and how many warnings accepted rows raised (`warnings`: registered late, a
credit code not used), and the command ends with exit status 3 ("completed with errors", `EXIT_PARTIAL`) after
printing the figures of the other rows. `--strict` turns any rejected row into exit status 1 without figures.
Warnings alone never change the exit status.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from techbridge.cli.context import cli_lang, exit_partial, print_json, settings_of
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError
from techbridge.transfers.loader import load_metric_defaults, read_contracts
from techbridge.transfers.metrics import (
    TURNOVER_GROUPINGS,
    check_region,
    compute_local_conversion,
    compute_turnover,
    definition_params,
    describe_definition,
    json_number,
    region_key,
    region_prefix,
    turnover_json,
)
from techbridge.transfers.queries import iter_contract_facts
from techbridge.transfers.schemas import (
    Amount,
    Basis,
    ContractFact,
    ContractType,
    ConversionDefinition,
    PartyKind,
    RowError,
    Scope,
)

app = typer.Typer(help="Transfer metrics: local conversion rate, turnover.", no_args_is_help=True)


def _split(text: str | None, option: str, convert: type[ContractType] | type[PartyKind] | None) -> tuple[str, ...]:
    items = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    if convert is None:
        return items
    try:
        return tuple(convert(item) for item in items)
    except ValueError as exc:
        allowed = ", ".join(str(member) for member in convert)
        raise InvalidDataError(
            f"{exc}; allowed: {allowed}", location=(option,), message_zh=f"取值无效，可选：{allowed}"
        ) from exc


def _parse_day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDataError(
            f"{text!r} is not a date YYYY-MM-DD", location=(option,), message_zh=f"“{text}”不是日期"
        ) from exc


def _load_facts(
    ctx: typer.Context, contracts: Path | None, demo: bool, strict: bool
) -> tuple[list[ContractFact], int, int]:
    """The contracts to measure, the number of rejected file rows and of warnings (both reported on stderr)."""
    if contracts is None:
        with session_scope(settings_of(ctx).database_url) as session:
            return list(iter_contract_facts(session, demo=demo)), 0, 0
    parsed = read_contracts(contracts)
    _report(parsed.errors, contracts, "row rejected")
    _report(parsed.warnings, contracts, "warning")
    rows = parsed.rejected_rows
    if rows and strict:
        raise InvalidDataError(
            f"{len(rows)} rows rejected (--strict)",
            location=(str(contracts),),
            message_zh=f"{len(rows)} 行数据有误（--strict）",
        )
    return parsed.facts, len(rows), len(parsed.warnings)


def _report(errors: list[RowError], path: Path, verdict: str) -> None:
    lang = cli_lang()
    for error in errors:
        sys.stderr.write(f"{path}: {error.render(lang)} ({verdict})\n")


@app.command("local-conversion")
def local_conversion(
    ctx: typer.Context,
    region: str = typer.Option(
        ...,
        "--region",
        help="2-, 4- or 6-digit division code; province scope uses its first 2 digits, city scope its first 4",
    ),
    basis: Basis = typer.Option(Basis.VALUE, "--basis", help="value (Σ amount) or count (number of contracts)"),
    scope: Scope = typer.Option(Scope.PROVINCE, "--scope", help="province (2-digit prefix) or city (4-digit)"),
    date_from: str | None = typer.Option(None, "--from", help="first registration date, inclusive (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="last registration date, inclusive (YYYY-MM-DD)"),
    amount: Amount = typer.Option(Amount.CONTRACT_VALUE, "--amount", help="money column of the value basis"),
    sellers: str = typer.Option("university,institute", "--sellers", help="seller kinds counted, comma-separated"),
    types: str | None = typer.Option(None, "--type", help="contract types, comma-separated (default: all)"),
    fields: str | None = typer.Option(None, "--field", help="fields, comma-separated (default: all)"),
    contracts: Path | None = typer.Option(None, "--contracts", help="contracts CSV or XLSX instead of the DB"),
    demo: bool = typer.Option(False, "--demo", help="measure the demonstration set (演示数据) instead of real data"),
    strict: bool = typer.Option(
        False, "--strict", help="exit 1 without figures when any file row is rejected (default: the rest, exit 3)"
    ),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """The local conversion rate (本地转化率) under a stated definition."""
    definition = ConversionDefinition(
        region=region.strip(),
        basis=basis,
        scope=scope,
        amount=amount,
        sellers=_split(sellers, "--sellers", PartyKind),  # type: ignore[arg-type]
        types=_split(types, "--type", ContractType),  # type: ignore[arg-type]
        fields=_split(fields, "--field", None),
        date_from=_parse_day(date_from, "--from"),
        date_to=_parse_day(date_to, "--to"),
    )
    check_region(definition.region, definition.scope)
    facts, rejected, warnings = _load_facts(ctx, contracts, demo, strict)
    result = compute_local_conversion(facts, definition)
    for contract_id in result.unvalued:
        sys.stderr.write(f"contract {contract_id}: no technology_income; left out of the value basis\n")
    rounding = int(load_metric_defaults().get("rate_decimals", 10))
    payload = {
        "rate": None if result.rate is None else round(float(result.rate), rounding),
        "numerator": json_number(result.numerator),
        "denominator": json_number(result.denominator),
        "definition": describe_definition(definition, cli_lang(), unlocated_buyers=result.unlocated_buyers),
        "definition_params": definition_params(definition),
        "rejected_rows": rejected,
        "warnings": warnings,
        "unvalued_contracts": list(result.unvalued),
        "unlocated_buyers": result.unlocated_buyers,
        "demo": demo and contracts is None,
    }
    if as_json:
        print_json(payload)
    else:
        rate = "—" if result.rate is None else f"{float(result.rate) * 100:.2f}%"
        typer.echo(f"{rate}  ({payload['numerator']} / {payload['denominator']})\n{payload['definition']}")
    if rejected:
        exit_partial(rejected, len(facts) + rejected, "rows")


@app.command("turnover")
def turnover(
    ctx: typer.Context,
    region: str = typer.Option(..., "--region", help="2-, 4- or 6-digit division code (210000 → 21, 210100 → 2101)"),
    by: list[str] = typer.Option(
        [], "--by", help="type | field | flow | quarter | party (repeatable or comma-separated; default: all)"
    ),
    scope: Scope | None = typer.Option(
        None, "--scope", help="count the region's province or city (a 直辖市 is one city; 仙桃 429004 is its own)"
    ),
    date_from: str | None = typer.Option(None, "--from", help="first registration date, inclusive"),
    date_to: str | None = typer.Option(None, "--to", help="last registration date, inclusive"),
    sellers: str | None = typer.Option(
        None, "--sellers", help="seller kinds counted, comma-separated (default: all; the dashboard's seller filter)"
    ),
    contracts: Path | None = typer.Option(None, "--contracts", help="contracts CSV or XLSX instead of the DB"),
    demo: bool = typer.Option(False, "--demo", help="measure the demonstration set (演示数据)"),
    strict: bool = typer.Option(
        False, "--strict", help="exit 1 without figures when any file row is rejected (default: the rest, exit 3)"
    ),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Turnover (成交额, 技术交易额, count) by type, field, flow (输出/吸纳, in/out of province), quarter and party
    type (输出 by seller kind, 吸纳 by buyer kind)."""
    prefix = region_prefix(region.strip())
    if scope is not None:
        check_region(region.strip(), scope)
        prefix = region_key(ConversionDefinition(region=region.strip(), scope=scope))
    groupings = [name.strip() for item in by for name in item.split(",") if name.strip()] or list(TURNOVER_GROUPINGS)
    chosen = _split(sellers, "--sellers", PartyKind)
    facts, rejected, warnings = _load_facts(ctx, contracts, demo, strict)
    tables = compute_turnover(
        facts,
        region=prefix,
        by=groupings,
        date_from=_parse_day(date_from, "--from"),
        date_to=_parse_day(date_to, "--to"),
        sellers=chosen,  # type: ignore[arg-type]
    )
    groups = {name: turnover_json(rows) for name, rows in tables.items()}
    payload = {
        "region": prefix,
        "groups": groups,
        "definition": _turnover_definition(prefix, cli_lang()),
        "sellers": [str(kind) for kind in chosen],
        "rejected_rows": rejected,
        "warnings": warnings,
        "demo": demo and contracts is None,
    }
    if as_json:
        print_json(payload)
    else:
        for name, rows in groups.items():
            typer.echo(f"[{name}]")
            _echo_rows(rows, "  ")
    if rejected:
        exit_partial(rejected, len(facts) + rejected, "rows")


def _echo_rows(rows: list[dict[str, object]], indent: str) -> None:
    """Turnover rows as tab-separated lines, sub-rows indented below their group."""
    for row in rows:
        typer.echo(f"{indent}{row['key']}\t{row['count']}\t{row['contract_value']}\t{row['technology_income']}")
        parts = row.get("of_which")
        if isinstance(parts, list):
            _echo_rows(parts, indent + "  ")


def _turnover_definition(prefix: str, lang: str) -> str:
    if lang == "zh":
        return (
            f"地区 {prefix}：按类型/领域/季度统计卖方在本地区的合同（输出，按登记日期）；"
            "类型 transfer 为技术转让（含许可），其中许可见 of_which；"
            "流向中 output=卖方在本地区（输出），absorb=买方在本地区（吸纳），"
            "in_province/out_of_province 为对方是否在本省，local 为对方在本地区所在的城市（本地，直辖市为一市，"
            "省直辖县级市各为一市；地区不在一个城市内时不列）；未给 --sellers 时统计全部卖方类型；金额单位万元。"
        )
    return (
        f"Region {prefix}: type/field/quarter groups count contracts whose seller is in the region (输出, by "
        "registration date; type transfer includes licences, shown under of_which); in flow, output = seller in the "
        "region (输出), absorb = buyer in the region (吸纳), split "
        "by whether the other party is in the province, and local = the other party in the region's city (a "
        "municipality is one city, each county-level city under a province its own; not listed for a region wider "
        "than a city); every seller kind unless --sellers; amounts in 万元."
    )


@app.command("official")
def official(
    ctx: typer.Context,
    region: str | None = typer.Option(None, "--region", help="province code (21 = 辽宁; default: the home region)"),
    year: int = typer.Option(..., "--year", help="yearbook year"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Official technology-market figures (中国科技统计年鉴) of a province and year: 输出 and 吸纳, 万元 and 项."""
    from techbridge.access import SYSTEM
    from techbridge.statistics.service import official_figures

    settings = settings_of(ctx)
    region = region or settings.region_code[:2]
    with session_scope(settings.database_url) as session:
        figures = official_figures(session=session, viewer=SYSTEM, region_code=region, year=year)
    if as_json:
        print_json(figures)
        return
    for key, value in figures.items():
        typer.echo(f"{key}\t{value}")
