"""Entity resolution: normalize Chinese organization names, validate 统一社会信用代码 (GB 32100-2015), and decide
which incoming record is an existing organization (credit code, then listing code, then an unambiguous name).
Two records whose credit codes differ are never merged."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from techbridge.errors import InvalidDataError

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MIN_CORE = 2  # a stripped name keeps at least two characters ("大连港" never becomes "港")
_BRACKETS = re.compile(r"[(\[【<〈《].*?[)\]】>〉》]")
_SPACES = re.compile(r"\s+")


def _read_list(name: str) -> tuple[str, ...]:
    text = (resources.files("techbridge") / "data" / "resolve" / name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def legal_forms() -> tuple[str, ...]:
    """Suffixes stripped from names, longest first (data/resolve/legal_forms.txt)."""
    return tuple(sorted(_read_list("legal_forms.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def region_suffixes() -> tuple[str, ...]:
    """Suffixes of division names (省, 市, 自治区 …), longest first."""
    return tuple(sorted(_read_list("region_suffixes.txt"), key=len, reverse=True))


def short_region_name(name: str) -> str:
    """ "辽宁省" → "辽宁", "沈阳市" → "沈阳", "内蒙古自治区" → "内蒙古"; names too short to strip stay as they are."""
    for suffix in region_suffixes():
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_CORE:
            return name[: -len(suffix)]
    return name


def clean_text(text: str) -> str:
    """NFKC (full-width → half-width, （） → ()), whitespace removed, ASCII lower-cased."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class NameKey:
    """A normalized name: the distinctive core and the region prefix that was stripped ("" when none)."""

    core: str
    region: str
    qualifier: str = ""

    def is_compatible(self, other: NameKey, *, strict: bool = False) -> bool:
        """Same core, and not two different region prefixes (沈阳机床 ≠ 大连机床).

        `strict` (universities, institutes) also needs the same region and bracket qualifier:
        中国矿业大学 ≠ 中国矿业大学(北京), 四川长江职业学院 ≠ 长江职业学院."""
        if strict:
            return self == other
        return self.core == other.core and (not self.region or not other.region or self.region == other.region)


class NameNormalizer:
    """Normalizes organization names; knows the province short names plus any region names it is given."""

    def __init__(self, region_names: Iterable[str] = ()) -> None:
        self._prefixes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        provinces = _read_list("provinces.txt")
        full_forms = [short + suffix for short in provinces for suffix in ("省", "市", "自治区")]
        for name in (*provinces, *full_forms, *region_names):
            name = clean_text(name)
            short = short_region_name(name)
            for form in sorted({name, short}):
                if len(form) >= MIN_CORE:
                    self._prefixes[form[:2]].append((form, short))
        for forms in self._prefixes.values():
            forms.sort(key=lambda pair: len(pair[0]), reverse=True)

    def key(self, name: str) -> NameKey:
        """The NameKey of `name`: brackets dropped, region prefix and legal-form suffixes stripped."""
        cleaned = clean_text(name)
        qualifier = "".join(match.group(0)[1:-1] for match in _BRACKETS.finditer(cleaned))
        text = strip_legal_forms(_BRACKETS.sub("", cleaned) or cleaned)
        for form, short in self._prefixes.get(text[:2], ()):
            if text.startswith(form) and len(text) - len(form) >= MIN_CORE:
                return NameKey(text[len(form) :], short, qualifier)
        return NameKey(text, "", qualifier)

    def normalize(self, name: str) -> str:
        """The core of `name` ("华为技术有限公司" → "华为"), stored as Organization.normalized_name."""
        return self.key(name).core


def strip_legal_forms(text: str) -> str:
    """Remove trailing legal-form / generic words repeatedly while at least MIN_CORE characters remain."""
    changed = True
    while changed:
        changed = False
        for suffix in legal_forms():
            if text.endswith(suffix) and len(text) - len(suffix) >= MIN_CORE:
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CHARS.index(char) * weight for char, weight in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """18 characters from the GB 32100 alphabet with the right check character."""
    code = clean_text(code).upper()
    if len(code) != 18 or any(char not in CREDIT_CHARS for char in code):
        return False
    return credit_check_char(code[:17]) == code[17]


def validate_credit_code(code: str) -> str:
    """The credit code in canonical form (upper-case, half-width); InvalidDataError when it is not valid."""
    canonical = clean_text(code).upper()
    if not is_valid_credit_code(canonical):
        raise InvalidDataError(
            f"invalid unified social credit code {code!r} (GB 32100-2015 check failed)",
            message_zh=f"统一社会信用代码「{code}」无效（未通过 GB 32100-2015 校验）",
        )
    return canonical


@dataclass
class OrgRecord:
    """What resolution needs to know about one organization."""

    id: int
    name: str
    key: NameKey
    credit_code: str | None = None
    listing_code: str | None = None
    alias_keys: list[NameKey] = field(default_factory=list)
    kind: str = "enterprise"


@dataclass(frozen=True)
class Resolution:
    """The existing organization an incoming record is, and by which rule."""

    organization_id: int
    name: str
    rule: str


def _codes_conflict(a: str | None, b: str | None) -> bool:
    return bool(a and b and a != b)


class OrgIndex:
    """In-memory lookup of organizations by credit code, listing code and normalized name (with aliases).

    A name matches an organization's own name when the cores agree and the region prefixes do not contradict;
    it matches an alias (often a short name such as 园林股份) only when core, region and qualifier are all equal.
    Universities and institutes always need the strict match. More than one candidate means no merge."""

    def __init__(self) -> None:
        self.by_credit: dict[str, OrgRecord] = {}
        self.by_listing: dict[str, OrgRecord] = {}
        self.by_core: dict[str, list[OrgRecord]] = defaultdict(list)

    def add(self, record: OrgRecord) -> None:
        """Index `record` under its codes, its name and its aliases."""
        if record.credit_code:
            self.by_credit[record.credit_code] = record
        if record.listing_code:
            self.by_listing[record.listing_code] = record
        for key in {record.key, *record.alias_keys}:
            bucket = self.by_core[key.core]
            if record not in bucket:
                bucket.append(record)

    def add_alias(self, organization_id: int, key: NameKey) -> None:
        """Make `key` find the organization `organization_id` (already indexed under its own name)."""
        for bucket in list(self.by_core.values()):
            for record in bucket:
                if record.id == organization_id:
                    record.alias_keys.append(key)
                    if record not in self.by_core[key.core]:
                        self.by_core[key.core].append(record)
                    return

    def resolve(
        self,
        *,
        key: NameKey,
        credit_code: str | None = None,
        listing_code: str | None = None,
        kind: str = "enterprise",
    ) -> Resolution | None:
        """The organization this record is, or None (new record, ambiguous name, or a credit-code conflict)."""
        if credit_code and credit_code in self.by_credit:
            found = self.by_credit[credit_code]
            return Resolution(found.id, found.name, "credit_code")
        if listing_code and listing_code in self.by_listing:
            found = self.by_listing[listing_code]
            if not _codes_conflict(found.credit_code, credit_code):
                return Resolution(found.id, found.name, "listing_code")
            return None
        strict = kind != "enterprise"
        candidates = {
            record.id: record
            for record in self.by_core.get(key.core, ())
            if record.kind == kind
            and (
                key.is_compatible(record.key, strict=strict)
                or any(key.is_compatible(alias, strict=True) for alias in record.alias_keys)
            )
            and not _codes_conflict(record.credit_code, credit_code)
            and not _codes_conflict(record.listing_code, listing_code)
        }
        if len(candidates) == 1:
            found = next(iter(candidates.values()))
            return Resolution(found.id, found.name, "name")
        return None


@lru_cache(maxsize=1)
def org_suffixes() -> tuple[str, ...]:
    """Name endings that mark an organization (data/resolve/org_suffixes.txt)."""
    return _read_list("org_suffixes.txt")


def is_organization_name(name: str) -> bool:
    """Whether `name` reads as an organization's name (ends with 公司, 集团, 研究院, 大学 …)."""
    text = _BRACKETS.sub("", clean_text(name))
    return len(text) > MIN_CORE and text.endswith(org_suffixes())


def organization_kind(name: str) -> str:
    """enterprise, university or institute, judged from the name's ending."""
    text = _BRACKETS.sub("", clean_text(name))
    if text.endswith(("大学", "学院")):
        return "university"
    if text.endswith(("研究院", "研究所", "实验室", "研究中心")):
        return "institute"
    return "enterprise"
