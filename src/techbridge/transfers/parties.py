"""Where a contract party is registered: the division table, and a party's region from its 统一社会信用代码.

Characters 3–8 of a unified social credit code (GB 32100-2015) are the division code of the authority that
registered the party, so a valid code locates the party; a typed region code may refine it (a district of the
code's city) but never contradict it. The division table is the NBS 2023 one the package ships
(`registry.regions.load_divisions`, the same files `techbridge import admin_divisions` loads into the regions table).
A code registered by a central authority (`100000`, e.g. 东北大学 under the Ministry of Education) does not say
where the party is; a retired county code is located at its city (or province) when that still exists.
"""

from __future__ import annotations

from techbridge.registry.regions import Divisions
from techbridge.registry.resolve import is_valid_credit_code

CENTRAL_AUTHORITY = "100000"
"""The division part of a credit code issued by a central authority: no region."""


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
