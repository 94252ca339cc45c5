"""Regions as shipped reference data: which codes name a region, and what a region is called in English.

The division table is the NBS 2023 one the package ships (`data/sample/admin_divisions/raw`), the same files
`techbridge import admin_divisions` loads into the regions table, plus `SPECIAL_REGIONS` (沈抚示范区), which the
import adds. A code is a known region when that table has it, so a surface that takes a code can refuse one naming
nothing without a database (the contracts-file mode of `metrics`). English names (`data/regions/names_en.csv`) cover
the provinces and every prefecture-level city, in pinyin as official English usage spells them (沈阳市 → Shenyang,
内蒙古自治区 → Inner Mongolia); a county or district keeps its Chinese name on English pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

DIVISION_FILES = ("provinces.csv", "cities.csv", "areas.csv")
SPECIAL_REGIONS = ({"code": "2190", "name": "沈抚示范区", "level": "city", "parent_code": "21", "is_official": False},)
"""Regions that are not NBS divisions: 沈抚示范区 is a city-level region of Liaoning under a code NBS leaves unused."""
ENGLISH_NAMES = "names_en.csv"


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


def _codes(name: str) -> frozenset[str]:
    folder = resources.files("techbridge") / "data" / "sample" / "admin_divisions" / "raw"
    text = (folder / name).read_text(encoding="utf-8")
    return frozenset(row["code"].strip() for row in csv.DictReader(io.StringIO(text)))


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


@lru_cache(maxsize=1)
def english_names() -> Mapping[str, str]:
    """Region code → English name, for the provinces and prefecture-level cities (validated by a unit test)."""
    text = (resources.files("techbridge") / "data" / "regions" / ENGLISH_NAMES).read_text(encoding="utf-8")
    return {row["code"]: row["name_en"] for row in csv.DictReader(io.StringIO(text))}


@lru_cache(maxsize=1)
def _codes_by_english_name() -> Mapping[str, str]:
    return {name.casefold(): code for code, name in english_names().items()}


def code_of_english_name(text: str) -> str | None:
    """The region code an English name stands for (any case: `shenyang`, `Inner Mongolia`), None when none."""
    return _codes_by_english_name().get(" ".join(text.split()).casefold())


def english_codes_like(text: str) -> list[str]:
    """Codes of the regions whose English name contains `text` (any case), by code."""
    wanted = text.casefold()
    return sorted(code for code, name in english_names().items() if wanted in name.casefold())


def region_name(code: str, name: str, lang: str) -> str:
    """A region's name as a page in `lang` shows it: the English name on an English page when there is one, else
    the Chinese name (`name`, as the regions table stores it)."""
    if lang.startswith("zh"):
        return name
    return english_names().get(code, name)


def localize_names(names: Mapping[str, str], lang: str) -> dict[str, str]:
    """Code → name as stored, each name as a page in `lang` shows it (`region_name`)."""
    return {code: region_name(code, name, lang) for code, name in names.items()}
