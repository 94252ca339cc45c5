"""The shared pagination helper: page counts, clamping, slicing and the query string the page links keep."""

from __future__ import annotations

from starlette.requests import Request

from techbridge.web.pagination import (
    MAX_PAGE,
    clamp_page,
    count_pages,
    page_of_list,
    page_of_total,
    query_without_page,
    read_page_number,
)


def request_with(query: bytes) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/x", "query_string": query, "headers": []})


class TestCountPages:
    def test_an_empty_list_has_one_page(self) -> None:
        assert count_pages(0, 20) == 1

    def test_a_partial_last_page_counts(self) -> None:
        assert (count_pages(20, 20), count_pages(21, 20)) == (1, 2)


class TestClampPage:
    def test_past_the_end_is_the_last_page(self) -> None:
        assert clamp_page(9, 41, 20) == 3

    def test_below_one_is_the_first_page(self) -> None:
        assert clamp_page(0, 41, 20) == 1


class TestPageOfList:
    def test_page_two_holds_the_next_rows(self) -> None:
        page = page_of_list(list(range(45)), 2, 20)
        assert (page.items[0], page.items[-1], page.number, page.pages, page.total) == (20, 39, 2, 3, 45)

    def test_the_last_page_is_short(self) -> None:
        assert page_of_list(list(range(45)), 3, 20).items == list(range(40, 45))


class TestPageOfTotal:
    def test_keeps_the_rows_read_and_counts_pages_from_the_total(self) -> None:
        page = page_of_total(["a", "b"], 3, 2, 6)
        assert (page.items, page.number, page.pages, page.total, page.size) == (["a", "b"], 3, 3, 6, 2)


class TestReadPageNumber:
    def test_anything_but_a_positive_number_is_page_one(self) -> None:
        assert [read_page_number(raw) for raw in ("", "0", "-3", "x", "2")] == [1, 1, 1, 1, 2]

    def test_huge_numbers_stop_at_max_page(self) -> None:
        assert read_page_number("9" * 30) == MAX_PAGE


class TestQueryWithoutPage:
    def test_keeps_filters_and_repeated_keys_drops_page_done_and_blanks(self) -> None:
        request = request_with(b"q=%E5%A4%A7%E8%BF%9E&page=3&sellers=a&sellers=b&stage=&done=created")
        assert query_without_page(request) == "q=%E5%A4%A7%E8%BF%9E&sellers=a&sellers=b"
