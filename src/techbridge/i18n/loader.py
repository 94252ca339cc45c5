"""Load and look up the message catalog; every feature owns one YAML file under data/i18n/."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from techbridge.errors import InvalidDataError

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, dict[str, str]]:
    """Every key of every data/i18n/*.yaml file; a key missing a language or defined twice is an error."""
    catalog: dict[str, dict[str, str]] = {}
    folder = resources.files("techbridge") / "data" / "i18n"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        raw: Any = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        for key, texts in raw.items():
            if key in catalog:
                raise InvalidDataError("key defined twice", location=(entry.name, key))
            if not isinstance(texts, dict) or any(not isinstance(texts.get(lang), str) for lang in LANGUAGES):
                raise InvalidDataError("needs zh and en strings", location=(entry.name, key))
            catalog[key] = {lang: texts[lang] for lang in LANGUAGES}
    return catalog


def translate(key: str, lang: str, **params: Any) -> str:
    """The text of `key` in `lang`, formatted with `params`; an unknown key shows itself (visible in tests)."""
    texts = load_catalog().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text
