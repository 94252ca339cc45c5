"""Regions as shipped reference data: which codes name a region, and what a region is called in English.

The division table is the NBS 2023 one the package ships (`data/sample/admin_divisions/raw`), the same files
`techbridge import admin_divisions` loads into the regions table, plus `SPECIAL_REGIONS` (沈抚示范区), which the
import adds. A code is a known region when that table has it, so a surface that takes a code can refuse one naming
nothing without a database (the contracts-file mode of `metrics`). English names: `data/regions/names_en.csv` names
the provinces and every prefecture-level city, hand-curated as official English usage spells them (沈阳市 → Shenyang,
内蒙古自治区 → Inner Mongolia); `data/regions/counties_en.csv` names every county and district by rule (和平区 →
Heping District, 岫岩满族自治县 → Xiuyan Manchu Autonomous County), written by `scripts/region_names_en.py` from
`counties_en_rules.yaml` and `counties_en_overrides.csv`. A county's English name need not be unique (Heping District
is in Shenyang and in Tianjin, as 和平区 is), so a name stands for one code or several.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from techbridge.errors import InvalidDataError

DIVISION_FILES = ("provinces.csv", "cities.csv", "areas.csv")
SPECIAL_REGIONS = ({"code": "2190", "name": "沈抚示范区", "level": "city", "parent_code": "21", "is_official": False},)
"""Regions that are not NBS divisions: 沈抚示范区 is a city-level region of Liaoning under a code NBS leaves unused."""
ENGLISH_NAMES = "names_en.csv"
COUNTY_ENGLISH_NAMES = "counties_en.csv"
COUNTY_OVERRIDES = "counties_en_overrides.csv"


@dataclass(frozen=True)
class Divisions:
    """The real division codes: provinces (2 digits), cities (4) and counties (6)."""

    provinces: frozenset[str]
    cities: frozenset[str]
    counties: frozenset[str]

    def is_real(self, code: str) -> bool:
        """Whether a 6-digit code names a real county, city (PPCC00) or province (PP0000)."""
        if len(code) != 6 or not code.isdigit():
            return False
        if code.endswith("0000"):
            return code[:2] in self.provinces
        if code.endswith("00") and code[:4] in self.cities:
            return True
        return code in self.counties

    def nearest(self, code: str) -> str | None:
        """The most specific real division containing `code` (itself, its city, its province), None when none."""
        for candidate in (code, code[:4] + "00", code[:2] + "0000"):
            if self.is_real(candidate):
                return candidate
        return None


def _division_rows(name: str) -> list[dict[str, str]]:
    folder = resources.files("techbridge") / "data" / "sample" / "admin_divisions" / "raw"
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))


def _codes(name: str) -> frozenset[str]:
    return frozenset(row["code"].strip() for row in _division_rows(name))


def _division_names() -> dict[str, str]:
    """Code → name of every division of the shipped table (provinces, cities, counties)."""
    return {row["code"].strip(): row["name"] for name in DIVISION_FILES for row in _division_rows(name)}


@lru_cache(maxsize=1)
def load_divisions() -> Divisions:
    """The shipped NBS division table."""
    provinces, cities, counties = (_codes(name) for name in DIVISION_FILES)
    return Divisions(provinces, cities, counties)


def is_known_region(code: str) -> bool:
    """Whether a region code (2-digit province, 4-digit city, 6-digit county; a 6-digit code padded with zeros for
    its province or city) names a region of the shipped table or a special region."""
    if not code.isdigit():
        return False
    divisions = load_divisions()
    if len(code) == 2:
        return code in divisions.provinces
    if len(code) == 4:
        return code in divisions.cities or any(code == special["code"] for special in SPECIAL_REGIONS)
    return divisions.is_real(code)


def names_folder() -> Traversable:
    """Where the English names ship: `data/regions` of the package."""
    return resources.files("techbridge") / "data" / "regions"


def _read_csv(folder: Traversable, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))


def _english_names(folder: Traversable) -> dict[str, str]:
    rows = [*_read_csv(folder, ENGLISH_NAMES), *_read_csv(folder, COUNTY_ENGLISH_NAMES)]
    return {row["code"]: row["name_en"] for row in rows}


@lru_cache(maxsize=1)
def english_names() -> Mapping[str, str]:
    """Region code → English name: provinces and prefecture-level cities, then counties and districts (both files
    checked by `check_english_names`)."""
    return _english_names(names_folder())


def english_key(text: str) -> str:
    """An English name as lookups compare it: any case, spaces folded, ü as u, no apostrophes (Lushunkou District
    finds Lüshunkou District, xian finds Xi'an)."""
    folded = " ".join(text.split()).casefold().replace("ü", "u")
    return folded.replace("'", "").replace("’", "")


@lru_cache(maxsize=1)
def _codes_by_english_name() -> Mapping[str, tuple[str, ...]]:
    codes: dict[str, list[str]] = {}
    for code, name in english_names().items():
        codes.setdefault(english_key(name), []).append(code)
    return {key: tuple(sorted(found, key=lambda c: (len(c), c))) for key, found in codes.items()}


def codes_of_english_name(text: str) -> tuple[str, ...]:
    """The region codes an English name stands for (`english_key`: `shenyang`, `Inner Mongolia`), provinces and
    cities first; several for a county name more than one city has (Heping District), none for no region.
    「Heping District, Shenyang」 names the one under Shenyang."""
    found = _codes_by_english_name().get(english_key(text), ())
    if found or "," not in text:
        return found
    name, _, within = text.rpartition(",")
    parents = _codes_by_english_name().get(english_key(within), ())
    return tuple(code for code in codes_of_english_name(name) if any(code.startswith(p) for p in parents))


def code_of_english_name(text: str) -> str | None:
    """The one region code an English name stands for, None when it names none or several."""
    found = codes_of_english_name(text)
    return found[0] if len(found) == 1 else None


def english_codes_like(text: str) -> list[str]:
    """Codes of the regions whose English name contains `text` (`english_key`), provinces first, then cities, then
    counties, each by code."""
    wanted = english_key(text)
    found = (code for code, name in english_names().items() if wanted in english_key(name))
    return sorted(found, key=lambda code: (len(code), code))


def check_english_names(folder: Traversable | None = None) -> dict[str, int]:
    """Validate the English names (shipped, or those in `folder`) against the division table: every code a region,
    each once, its Chinese column the table's name, an English name on every row, every override written into the
    county file. The first fault raises InvalidDataError naming file, row and field; else each file's row count."""
    folder = folder or names_folder()
    table = {**_division_names(), **{str(r["code"]): str(r["name"]) for r in SPECIAL_REGIONS}}
    counts: dict[str, int] = {}
    for name in (ENGLISH_NAMES, COUNTY_ENGLISH_NAMES):
        rows = _read_csv(folder, name)
        seen: set[str] = set()
        for number, row in enumerate(rows, start=2):
            _check_row(name, number, row, table, seen)
        counts[name] = len(rows)
    shipped = _english_names(folder)
    overrides = _read_csv(folder, COUNTY_OVERRIDES)
    overridden: set[str] = set()
    for number, row in enumerate(overrides, start=2):
        _check_row(COUNTY_OVERRIDES, number, row, table, overridden)
        if shipped.get(row["code"]) != row["name_en"]:
            raise _row_error(
                COUNTY_OVERRIDES,
                number,
                "name_en",
                f"{COUNTY_ENGLISH_NAMES} says {shipped.get(row['code'])!r}; run scripts/region_names_en.py",
                f"{COUNTY_ENGLISH_NAMES} 中为 {shipped.get(row['code'])!r}，请运行 scripts/region_names_en.py",
            )
    counts[COUNTY_OVERRIDES] = len(overrides)
    return counts


def _check_row(file: str, number: int, row: dict[str, str], table: Mapping[str, str], seen: set[str]) -> None:
    code = row.get("code") or ""
    if code not in table:
        raise _row_error(file, number, "code", f"no region has the code {code!r}", f"没有代码为 {code!r} 的地区")
    if code in seen:
        raise _row_error(file, number, "code", f"code {code} is listed twice", f"代码 {code} 重复出现")
    seen.add(code)
    if row.get("name") != table[code]:
        raise _row_error(
            file, number, "name", f"{code} is {table[code]!r}, not {row.get('name')!r}", f"{code} 应为「{table[code]}」"
        )
    if not (row.get("name_en") or "").strip():
        raise _row_error(file, number, "name_en", "the English name is empty", "英文名称为空")


def _row_error(file: str, number: int, field: str, message: str, message_zh: str) -> InvalidDataError:
    return InvalidDataError(message, location=(file, f"row {number}", field), message_zh=message_zh)


def region_name(code: str, name: str, lang: str) -> str:
    """A region's name as a page in `lang` shows it: the English name on an English page when there is one, else
    the Chinese name (`name`, as the regions table stores it)."""
    if lang.startswith("zh"):
        return name
    return english_names().get(code, name)


def localize_names(names: Mapping[str, str], lang: str) -> dict[str, str]:
    """Code → name as stored, each name as a page in `lang` shows it (`region_name`)."""
    return {code: region_name(code, name, lang) for code, name in names.items()}
