"""The message catalog: every key has both languages; lookups format parameters."""

from __future__ import annotations

import re

from techbridge.i18n.loader import load_catalog, translate

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]")
"""Chinese characters and Chinese (full-width) punctuation."""


class TestCatalog:
    def test_every_key_has_chinese_and_english(self) -> None:
        catalog = load_catalog()
        assert catalog
        assert all(set(texts) == {"zh", "en"} for texts in catalog.values())

    def test_english_writes_amounts_in_english(self) -> None:
        """万元 reads "× 10,000 yuan" in English, as the tier engine's units do (data/policies/facts.yaml)."""
        assert [key for key, texts in load_catalog().items() if "万元" in texts["en"]] == []
        assert translate("common.wan", "en") == "× 10,000 yuan"

    def test_english_texts_hold_no_chinese_but_what_a_reader_must_type_or_see(self) -> None:
        """English interface text is English: Chinese appears only where it is what the reader acts on, the
        language switch naming Chinese, and what a spreadsheet cell must hold (regions by Chinese name)."""
        allowed = {"nav.language", "imports.format.region", "imports.help.organization.city", "imports.templates_hint"}
        chinese = [key for key, texts in load_catalog().items() if CJK.search(texts["en"]) and key not in allowed]
        assert chinese == []

    def test_translate_formats_parameters(self) -> None:
        assert translate("common.page", "en", page=2, pages=5, total=99) == "Page 2 of 5, 99 rows"
        assert translate("common.page", "zh", page=2, pages=5, total=99) == "第 2 / 5 页，共 99 条"

    def test_unknown_key_shows_itself(self) -> None:
        assert translate("no.such.key", "zh") == "no.such.key"
