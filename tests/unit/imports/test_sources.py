"""Pure helpers of the source importers: stock codes, noisy product names, IPC titles, progress."""

from __future__ import annotations

import io

import pytest

from techbridge.imports.chain_kg import clean_product, normalize_stock_code
from techbridge.imports.codes import clean_ipc_title
from techbridge.imports.progress import Progress
from techbridge.imports.records import stable_key


class TestStockCodes:
    @pytest.mark.parametrize(
        ("code", "exchange", "expected"),
        [
            ("300054", "深圳证券交易所", "300054.SZ"),
            ("300054.sz", "", "300054.SZ"),
            ("688096", "", "688096.SH"),
            ("600000.SH", "", "600000.SH"),
            ("830799", "", "830799.BJ"),
            ("ABC", "", None),
        ],
    )
    def test_formats(self, code: str, exchange: str, expected: str | None) -> None:
        assert normalize_stock_code(code, exchange) == expected


class TestCleanProduct:
    def test_line_breaks_and_quotes_go(self) -> None:
        assert clean_product("合成维生素\nE系列") == "合成维生素E系列"
        assert clean_product('"经公司登记机关核准') == "经公司登记机关核准"

    def test_noise_is_none(self) -> None:
        assert clean_product(' " ') is None
        assert clean_product("长" * 100) is None


class TestIpcTitle:
    def test_pdf_gaps_between_chinese_characters_go(self) -> None:
        assert clean_ipc_title("（用于 播种、种植或施厩肥）") == "（用于播种、种植或施厩肥）"

    def test_gaps_next_to_latin_stay(self) -> None:
        assert clean_ipc_title("入 A01C5/00") == "入 A01C5/00"


class TestProgress:
    def test_counts_and_closes(self) -> None:
        stream = io.StringIO()
        progress = Progress("rows", 3, stream=stream)
        assert list(progress.iterate([1, 2, 3])) == [1, 2, 3]
        assert "3/3" in stream.getvalue()


class TestStableKey:
    def test_long_keys_are_hashed_to_fit(self) -> None:
        key = stable_key("题" * 300)
        assert len(key) == 255
        assert key != stable_key("题" * 301)
        assert stable_key("短") == "短"
