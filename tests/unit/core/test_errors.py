"""Errors name their location and speak the user's language."""

from __future__ import annotations

from techbridge.errors import InvalidDataError, NotFoundError


class TestLocalized:
    def test_chinese_message_is_used_for_zh(self) -> None:
        exc = InvalidDataError("bad credit code", location=("a.csv", 3, "credit_code"), message_zh="信用代码校验位错误")
        assert exc.localized("zh") == "a.csv:3:credit_code: 信用代码校验位错误"

    def test_english_message_is_the_fallback(self) -> None:
        exc = NotFoundError("no such enterprise")
        assert exc.localized("zh") == "no such enterprise"
        assert str(exc) == "no such enterprise"
        assert exc.code == "not_found"
