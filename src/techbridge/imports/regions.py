"""Find a region from a place name: province names in any form (辽宁, 辽宁省, 内蒙), city names (深圳 → 4403)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from techbridge.imports import queries
from techbridge.registry.resolve import NameNormalizer, short_region_name


@dataclass(frozen=True)
class Place:
    """Where something is: a 2-digit province code and the most precise region code known."""

    province_code: str
    region_code: str


@dataclass
class RegionLookup:
    """Province and city names → codes, built from the regions table."""

    provinces: dict[str, str] = field(default_factory=dict)
    cities: dict[str, str] = field(default_factory=dict)
    cities_by_province: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> RegionLookup:
        """Build the lookup from every stored province and city."""
        lookup = cls()
        for code, name, level, _parent in queries.region_rows(session):
            lookup.codes.add(code)
            if level == "province":
                lookup.provinces[name] = lookup.provinces[short_region_name(name)] = code
                lookup.names.append(name)
            elif level == "city" and not name.endswith(("市辖区", "县", "行政区划")):
                short = short_region_name(name)
                lookup.cities.setdefault(name, code)
                lookup.cities.setdefault(short, code)
                lookup.cities_by_province.setdefault(code[:2], []).append((short, code))
                lookup.names.append(name)
        return lookup

    def locate(self, text: str) -> Place | None:
        """The place `text` names: a province (full, short or unique prefix such as 内蒙) or a city."""
        text = text.strip()
        if not text:
            return None
        if text in self.provinces:
            code = self.provinces[text]
            return Place(code, code)
        if text in self.cities:
            code = self.cities[text]
            return Place(code[:2], code)
        matches = {code for name, code in self.provinces.items() if name.startswith(text) and len(text) >= 2}
        if len(matches) == 1:
            code = matches.pop()
            return Place(code, code)
        return None

    def city_in(self, province_code: str, name: str) -> str | None:
        """The code of the first city of `province_code` whose short name occurs in `name` (大连理工大学 → 2102)."""
        found = [
            (name.find(short), code) for short, code in self.cities_by_province.get(province_code, ()) if short in name
        ]
        return min(found)[1] if found else None

    def city_anywhere(self, name: str) -> Place | None:
        """The one city whose short name occurs anywhere in `name` (中国科学院沈阳自动化研究所 → 沈阳市); None when
        no city or several different ones occur."""
        found = {code for short, code in self.cities.items() if len(short) >= 2 and short in name}
        if len(found) != 1:
            return None
        code = found.pop()
        return Place(code[:2], code)

    def place_of_name(self, normalizer: NameNormalizer, name: str) -> Place | None:
        """The place an organization's name starts with (大连示例科技有限公司 → 大连市), if any."""
        region = normalizer.key(name).region
        return self.locate(region) if region else None

    def normalizer(self) -> NameNormalizer:
        """A name normalizer that also strips these province and city names as prefixes."""
        return NameNormalizer(self.names)
