"""Where a contract party is registered: the division table, and a party's region from its 统一社会信用代码.

Characters 3–8 of a unified social credit code (GB 32100-2015) are the division code of the authority that
registered the party, so a valid code locates the party; a typed region code may refine it (a district of the
code's city) but never contradict it. The division table is the NBS 2023 one the package ships
(`data/sample/admin_divisions/raw`, the same files `techbridge import admin_divisions` loads into the regions table).
A code registered by a central authority (`100000`, e.g. 东北大学 under the Ministry of Education) does not say
where the party is; a retired county code is located at its city (or province) when that still exists.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from techbridge.registry.resolve import is_valid_credit_code

CENTRAL_AUTHORITY = "100000"
"""The division part of a credit code issued by a central authority: no region."""
DIVISION_FILES = ("provinces.csv", "cities.csv", "areas.csv")


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


def region_of_credit_code(code: str, divisions: Divisions) -> str | None:
    """The region a valid credit code locates (6 digits), None when it is invalid or does not say where."""
    if not is_valid_credit_code(code) or code[2:8] == CENTRAL_AUTHORITY:
        return None
    return divisions.nearest(code[2:8])


def disagreement(from_code: str, typed: str) -> str | None:
    """`province` or `city` when a typed region contradicts the code's there, None when they agree (a county of
    the same city, or a city of a province-level code, agrees)."""
    if from_code[:2] != typed[:2]:
        return "province"
    if "00" not in (from_code[2:4], typed[2:4]) and from_code[:4] != typed[:4]:
        return "city"
    return None


def precision(code: str) -> int:
    """How many leading digits of a 6-digit division code are significant (210000 → 2, 210100 → 4, 210102 → 6)."""
    if code.endswith("0000"):
        return 2
    return 4 if code.endswith("00") else 6


def refine(from_code: str, typed: str) -> str:
    """Of two agreeing regions, the more precise one (the code's on a tie)."""
    return typed if precision(typed) > precision(from_code) else from_code
