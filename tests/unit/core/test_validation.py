"""Pydantic errors said in zh and en (techbridge/i18n/validation.py): the field, the reason and the limit from the
error's ctx, pydantic's text for a type without wording."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, get_args

import pytest
from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core.core_schema import ErrorType

from techbridge.i18n.loader import load_catalog
from techbridge.i18n.validation import describe_error, field_path, list_choices, say_error, shown_value

HELPER_KEYS = {"validation.at", "validation.fallback", "validation.choice_separator"}


def first_error(annotation: Any, value: object) -> dict[str, Any]:
    """The first error pydantic raises validating `value` as `annotation`, as `exc.errors()` gives it."""
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    return dict(caught.value.errors()[0])


class TestCatalog:
    def test_every_wording_is_of_a_pydantic_error_type(self) -> None:
        """A misspelt key would never be used: every validation.<type> names a type pydantic raises."""
        types = {key.removeprefix("validation.") for key in load_catalog() if key.startswith("validation.")}
        assert types - {key.removeprefix("validation.") for key in HELPER_KEYS} <= set(get_args(ErrorType))


class TestDescribeError:
    @pytest.mark.parametrize(
        ("annotation", "value", "zh", "en"),
        [
            (Annotated[float, Field(gt=0)], 0, "应大于 0", "must be greater than 0"),
            (Annotated[float, Field(lt=2.0)], 3, "应小于 2", "must be less than 2"),
            (Annotated[int, Field(ge=1, le=9)], 10, "不能大于 9", "must be at most 9"),
            (Annotated[list[int], Field(min_length=2)], [1], "至少需要 2 项", "needs at least 2 items"),
            (bool, "maybe", "应为 true 或 false", "must be true or false"),
        ],
    )
    def test_the_limit_comes_from_the_errors_ctx(self, annotation: Any, value: object, zh: str, en: str) -> None:
        error = first_error(annotation, value)
        assert (describe_error(error, "zh"), describe_error(error, "en")) == (zh, en)

    def test_a_type_without_wording_keeps_pydantics_text(self) -> None:
        error = {"type": "url_parsing", "loc": ("site",), "msg": "Input should be a valid URL"}
        assert describe_error(error, "en") == "Input should be a valid URL"
        assert describe_error(error, "zh") == "输入无效（Input should be a valid URL）"

    def test_a_wording_whose_limit_is_missing_keeps_pydantics_text(self) -> None:
        error = {"type": "string_too_long", "loc": ("title",), "msg": "String should be shorter", "ctx": {}}
        assert describe_error(error, "en") == "String should be shorter"


class TestSayError:
    def test_the_field_comes_first_in_each_languages_punctuation(self) -> None:
        error = first_error(Annotated[str, Field(max_length=255)], "x" * 256) | {"loc": ("body", "title")}
        assert say_error(error, "zh") == "title：最多 255 个字符"
        assert say_error(error, "en") == "title: at most 255 characters"

    def test_a_form_names_the_field_by_its_label(self) -> None:
        error = {"type": "missing", "loc": ("title",), "msg": "Field required"}
        assert say_error(error, "zh", "标题") == "标题：必填"


class TestFieldPath:
    @pytest.mark.parametrize(
        ("loc", "path"),
        [
            (("query", "size"), "size"),
            (("body", "indicators", 2), "indicators[2]"),
            (("body", "enterprises", 0, "facts"), "enterprises[0].facts"),
            (("body",), "body"),
            (("title",), "title"),
        ],
    )
    def test_the_request_part_is_left_out(self, loc: tuple[str | int, ...], path: str) -> None:
        assert field_path(loc) == path


class TestShownValues:
    @pytest.mark.parametrize(
        ("value", "text"), [(2.0, "2"), (0.05, "0.05"), (Decimal("0.050"), "0.05"), (Decimal("1E+2"), "100")]
    )
    def test_numbers_as_a_person_writes_them(self, value: object, text: str) -> None:
        assert shown_value(value) == text

    def test_choices_are_listed_in_the_language(self) -> None:
        assert list_choices("'public', 'registered' or 'owner'", "zh") == "public、registered、owner"
        assert list_choices("'public', 'registered' or 'owner'", "en") == "public, registered, owner"
        assert list_choices("a set of values", "en") == "a set of values"
