"""Entity resolution: normalize Chinese organization names, validate 统一社会信用代码 (GB 32100-2015), and decide
which incoming record is an existing organization (credit code, then listing code, then an unambiguous name).
Two records whose credit codes differ are never merged."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from techbridge.errors import InvalidDataError

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MIN_CORE = 2  # a stripped name keeps at least two characters ("大连港" never becomes "港")
_BRACKETS = re.compile(r"[(\[【<〈《].*?[)\]】>〉》]")
_SPACES = re.compile(r"\s+")
UNSPECIFIED_FORM = "公司"
"""The canonical form of a name ending in plain 公司 (华为公司): it names no legal form, so it is read as a short name
and matches by its core, like 华为."""
BRANCH_FORM = "branch"
"""The `form` of a branch's name (分公司 …): its whole name is its core, so it never meets its parent."""


def _read_list(name: str) -> tuple[str, ...]:
    text = (resources.files("techbridge") / "data" / "resolve" / name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def legal_forms() -> tuple[str, ...]:
    """Suffixes stripped from names, longest first (data/resolve/legal_forms.txt)."""
    return tuple(sorted(_read_list("legal_forms.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def company_forms() -> tuple[tuple[str, str], ...]:
    """(legal form, canonical form) pairs, longest form first (data/resolve/company_forms.csv)."""
    pairs = [line.split(",", 1) for line in _read_list("company_forms.csv")[1:]]
    return tuple(sorted(((form.strip(), canonical.strip()) for form, canonical in pairs), key=_form_length))


def _form_length(pair: tuple[str, str]) -> int:
    return -len(pair[0])


@lru_cache(maxsize=1)
def branch_suffixes() -> tuple[str, ...]:
    """Name endings of a branch or office of another organization (data/resolve/branch_suffixes.txt)."""
    return _read_list("branch_suffixes.txt")


def split_company_form(text: str) -> tuple[str, str] | None:
    """(name before the legal form, canonical form) of a full legal name, None for a short name (one ending in plain
    公司 included: 华为公司 is how people write 华为技术有限公司)."""
    for form, canonical in company_forms():
        if text.endswith(form) and len(text) - len(form) >= MIN_CORE:
            return None if canonical == UNSPECIFIED_FORM else (text[: -len(form)], canonical)
    return None


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
    """A normalized name: the distinctive core and the region prefix that was stripped ("" when none).

    `base` and `form` are set for a full legal name only: the name without region prefix and legal form
    (中远海运科技 of 中远海运科技股份有限公司) and the form's canonical spelling (data/resolve/company_forms.csv,
    有限责任公司 → 有限公司); a short name (中远海运) has neither. A branch (分公司 …) keeps its whole name as core."""

    core: str
    region: str
    qualifier: str = ""
    base: str = ""
    form: str = ""

    def is_compatible(self, other: NameKey, *, strict: bool = False) -> bool:
        """Same core, and not two different region prefixes (沈阳机床 ≠ 大连机床); two full legal names also need the
        same name before the legal form and the same form (中远海运科技有限公司 ≠ 中远海运控股股份有限公司).

        `strict` (universities, institutes, aliases) also needs the same region and bracket qualifier:
        中国矿业大学 ≠ 中国矿业大学(北京), 四川长江职业学院 ≠ 长江职业学院."""
        if self.core != other.core or not self._forms_agree(other):
            return False
        if strict:
            return self.region == other.region and self.qualifier == other.qualifier
        return not self.region or not other.region or self.region == other.region

    def _forms_agree(self, other: NameKey) -> bool:
        """A short name agrees with any form; two full names need the same base, the same form, and not two different
        bracket places (平头哥(杭州) ≠ 平头哥(上海))."""
        if not self.base or not other.base:
            return True
        if self.qualifier and other.qualifier and self.qualifier != other.qualifier:
            return False
        return self.base == other.base and self.form == other.form


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
        """The NameKey of `name`: brackets dropped, region prefix and legal-form suffixes stripped (never down to a
        bare place name: 广州发展集团 keeps 发展); a branch (分公司 …) keeps its whole name."""
        cleaned = clean_text(name)
        qualifier = "".join(match.group(0)[1:-1] for match in _BRACKETS.finditer(cleaned))
        bare = _BRACKETS.sub("", cleaned) or cleaned
        if bare.endswith(branch_suffixes()):
            region, core = self._split_region(bare)
            return NameKey(core, region, qualifier, core, BRANCH_FORM)
        region, core = self._split_region(strip_legal_forms(bare, keep=self._is_place))
        legal = split_company_form(bare)
        if legal is None:
            return NameKey(core, region, qualifier)
        return NameKey(core, region, qualifier, self._drop_region(legal[0], region), legal[1])

    def _is_place(self, text: str) -> bool:
        """Whether `text` is only a province or region name (辽宁, 沈阳市)."""
        return any(form == text for form, _short in self._prefixes.get(text[:2], ()))

    def _split_region(self, text: str) -> tuple[str, str]:
        """(region short name, rest) of a name starting with a province or region name; ("", text) otherwise."""
        for form, short in self._prefixes.get(text[:2], ()):
            if text.startswith(form) and len(text) - len(form) >= MIN_CORE:
                return short, text[len(form) :]
        return "", text

    def _drop_region(self, text: str, region: str) -> str:
        """`text` without its leading region name when that region is `region`."""
        found, rest = self._split_region(text)
        return rest if region and found == region else text

    def normalize(self, name: str) -> str:
        """The core of `name` ("华为技术有限公司" → "华为"), stored as Organization.normalized_name."""
        return self.key(name).core


def strip_legal_forms(text: str, *, keep: Callable[[str], bool] = lambda _text: False) -> str:
    """Remove trailing legal-form / generic words repeatedly while at least MIN_CORE characters remain and the rest
    is not something to `keep` (a bare place name: 辽宁科技 stays, else 辽宁科技 = 辽宁实业)."""
    changed = True
    while changed:
        changed = False
        for suffix in legal_forms():
            if text.endswith(suffix) and len(text) - len(suffix) >= MIN_CORE and not keep(text[: -len(suffix)]):
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
        self.by_id: dict[int, OrgRecord] = {}

    def add(self, record: OrgRecord) -> None:
        """Index `record` under its id, its codes, its name and its aliases."""
        self.by_id[record.id] = record
        if record.credit_code:
            self.by_credit[record.credit_code] = record
        if record.listing_code:
            self.by_listing[record.listing_code] = record
        for key in {record.key, *record.alias_keys}:
            bucket = self.by_core[key.core]
            if record not in bucket:
                bucket.append(record)

    def claim_codes(self, organization_id: int, credit_code: str | None, listing_code: str | None) -> None:
        """Give the indexed organization `organization_id` the codes of a record just merged into it where it has
        none, so a later record of the same run with other codes conflicts instead of merging too."""
        record = self.by_id.get(organization_id)
        if record is None:
            return
        if credit_code and not record.credit_code:
            record.credit_code = credit_code
            self.by_credit.setdefault(credit_code, record)
        if listing_code and not record.listing_code:
            record.listing_code = listing_code
            self.by_listing.setdefault(listing_code, record)

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
