"""Write the English names of counties and districts (src/techbridge/data/regions/counties_en.csv) by rule.

The standard Chinese convention: the proper name in pinyin without tones, its syllables joined into one word, the
first letter capitalised, an apostrophe before a syllable starting with a, o or e after another syllable (Xi'an),
then the type in English (区 District, 县 County, 县级市 City, 旗 Banner, 自治县 … Autonomous County). The types and
the peoples of autonomous counties are data (`counties_en_rules.yaml`); a name the rule gets wrong (a polyphone
pypinyin reads wrongly, a Mongol banner with an established English name) is a row of `counties_en_overrides.csv`,
which wins. The portal reads only the written CSV; pypinyin (a dev dependency) is needed only here:

    python scripts/region_names_en.py [--check] [--polyphones]

`--check` writes nothing and exits 1 when the shipped file differs from what the rule and the overrides give;
`--polyphones` lists every name holding a character pypinyin may read several ways, to check by eye.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pypinyin import Style, lazy_pinyin, pinyin

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = ROOT / "src" / "techbridge" / "data"
DIVISIONS = PACKAGE_DATA / "sample" / "admin_divisions" / "raw"
REGIONS = PACKAGE_DATA / "regions"
TARGET = REGIONS / "counties_en.csv"
RULES = REGIONS / "counties_en_rules.yaml"
OVERRIDES = REGIONS / "counties_en_overrides.csv"
NAMES_EN = REGIONS / "names_en.csv"
VOWELS = ("a", "o", "e")
PROVINCE_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区")


@dataclass(frozen=True)
class Kind:
    """A type suffix and what it is called in English."""

    suffix: str
    en: str
    kind: str  # place, autonomous or zone


@dataclass(frozen=True)
class Rules:
    types: tuple[Kind, ...]
    readings: dict[str, str]  # character → its reading in every place name, where pypinyin's differs
    peoples: dict[str, str]
    leading_names: dict[str, str]  # province and city names a zone's name starts with → their English word(s)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _leading_names() -> dict[str, str]:
    """Chinese province and city names (full and short) → English, where the English is one plain word or a
    province's name; a zone's name starting with one says it as its own word (唐山市汉沽管理区 → Tangshan Hangu …)."""
    names: dict[str, str] = {}
    for row in read_csv(NAMES_EN):
        code, name, english = row["code"], row["name"], row["name_en"]
        if len(code) == 4 and " " in english:
            continue
        names[name] = english
        for suffix in sorted(PROVINCE_SUFFIXES, key=len, reverse=True):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                names.setdefault(name[: -len(suffix)], english)
                break
    return names


def load_rules() -> Rules:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    types = tuple(Kind(**row) for row in data["types"])
    return Rules(types, dict(data["readings"]), dict(data["peoples"]), _leading_names())


def syllables(name: str, rules: Rules) -> list[str]:
    """The pinyin of every character of `name`, read in phrase context, without tones (ü kept), except the
    characters whose place-name reading the rules fix."""
    read = lazy_pinyin(name, style=Style.NORMAL, v_to_u=True)
    return [rules.readings.get(ch, syllable) for ch, syllable in zip(name, read, strict=True)]


def join_syllables(parts: Sequence[str]) -> str:
    """Syllables as one capitalised word, with an apostrophe where a syllable starting with a/o/e follows another."""
    word = ""
    for i, part in enumerate(parts):
        word += ("'" if i and part.startswith(VOWELS) else "") + part
    return word[:1].upper() + word[1:]


def split_type(name: str, rules: Rules) -> tuple[str, Kind | None]:
    """The proper name and the type: the longest type suffix that leaves a proper name."""
    for kind in rules.types:
        if name.endswith(kind.suffix) and len(name) > len(kind.suffix):
            return name[: -len(kind.suffix)], kind
    return name, None


def split_peoples(proper: str, rules: Rules, *, autonomous: bool) -> tuple[str, list[str]]:
    """A name's proper part and the peoples it names in English, in the order the name gives them: after
    自治县/自治旗 with or without 族 (one-character peoples only with it), elsewhere only with 族."""
    keys = sorted(rules.peoples, key=len, reverse=True)
    found: list[str] = []
    while True:
        for key in keys:
            bare = autonomous and len(key) > 1
            tail = next((t for t in (key + "族", key if bare else None) if t and proper.endswith(t)), None)
            if tail is not None:
                found.insert(0, rules.peoples[key])
                proper = proper[: -len(tail)]
                break
        else:
            return proper, found


def and_list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def pinyin_words(text: str, context: str, start: int, rules: Rules) -> str:
    """`text` in pinyin as one word, read as it stands at `start` in `context` (phrase mode sees the whole name)."""
    return join_syllables(syllables(context, rules)[start : start + len(text)])


def leading_words(proper: str, rules: Rules) -> tuple[list[str], str]:
    """The province and city names a zone's proper name starts with, in English, and what is left."""
    words: list[str] = []
    while True:
        match = next((n for n in sorted(rules.leading_names, key=len, reverse=True) if proper.startswith(n)), None)
        if match is None:
            return words, proper
        words.append(rules.leading_names[match])
        proper = proper[len(match) :]


def english_name(name: str, rules: Rules) -> str:
    """A county-level division's English name by rule."""
    proper, kind = split_type(name, rules)
    if kind is None:
        return join_syllables(syllables(name, rules))
    if kind.kind == "zone":
        words, rest = leading_words(proper, rules)
        if rest:
            words.append(pinyin_words(rest, name, len(proper) - len(rest), rules))
        return " ".join([*words, kind.en])
    place, peoples = split_peoples(proper, rules, autonomous=kind.kind == "autonomous")
    if not place:  # 东乡族自治县: called after its people
        return f"{peoples[0]} {kind.en}"
    word = pinyin_words(place, name, 0, rules)
    return f"{word} {and_list(peoples)} {kind.en}" if peoples else f"{word} {kind.en}"


def generate(rules: Rules, overrides: dict[str, str]) -> list[dict[str, str]]:
    """Every county of the shipped division table: code, Chinese name, English name (the override when one)."""
    rows = read_csv(DIVISIONS / "areas.csv")
    return [
        {"code": r["code"], "name": r["name"], "name_en": overrides.get(r["code"]) or english_name(r["name"], rules)}
        for r in rows
    ]


def load_overrides() -> dict[str, str]:
    return {row["code"]: row["name_en"] for row in read_csv(OVERRIDES)}


def render(rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["code", "name", "name_en"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def polyphones(rows: Iterable[dict[str, str]]) -> list[str]:
    """Lines `code name → English [readings]` for every name with a character pypinyin knows several readings of."""
    lines = []
    for row in rows:
        readings = pinyin(row["name"], style=Style.NORMAL, heteronym=True, errors="ignore")
        several = [f"{ch}:{'/'.join(r)}" for ch, r in zip(row["name"], readings, strict=False) if len(set(r)) > 1]
        if several:
            lines.append(f"{row['code']} {row['name']} → {row['name_en']}  [{' '.join(several)}]")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the shipped file differs")
    parser.add_argument("--polyphones", action="store_true", help="list names holding a polyphone, to check by eye")
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    overrides = load_overrides()
    rows = generate(load_rules(), overrides)
    text = render(rows)
    if args.polyphones:
        sys.stdout.write("".join(line + "\n" for line in polyphones(rows)))
        return 0
    if args.check:
        same = args.target.exists() and args.target.read_text(encoding="utf-8") == text
        sys.stdout.write(f"{args.target}: {'up to date' if same else 'differs from the rule and the overrides'}\n")
        return 0 if same else 1
    args.target.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{args.target}: {len(rows)} names, {len(overrides)} from the overrides\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
