"""Loading policy files: the shipped ones load; every mistake names the file and the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.policies.evaluate import versions_in_force
from techbridge.policies.loader import load_policies, parse_policy, shipped_policies
from techbridge.policies.schema import POLICY_IDS

HEAD = """id: x
title: {zh: 甲, en: x}
issuer: i
document: d
source_url: u
effective_from: 2024-01-01
ladder: {rank: 1}
"""


def criteria(leaf: str) -> str:
    return HEAD + "criteria: {id: root, label: {zh: 甲, en: r}, all: [" + leaf + "]}\n"


LEAF = "{id: a, label: {zh: 甲, en: a}, "


class TestShipped:
    def test_every_policy_has_a_version_in_force_on_both_sides_of_the_switch(self) -> None:
        for day, version in ((date(2026, 3, 31), "2022"), (date(2026, 4, 1), "2026")):
            chosen = versions_in_force(shipped_policies(), day)
            assert set(chosen) == set(POLICY_IDS)
            assert all(policy is not None for policy in chosen.values())
            assert chosen["zjtx_sme"].version == version  # type: ignore[union-attr]
            assert chosen["little_giant"].version == version  # type: ignore[union-attr]

    def test_liaoning_schemes_are_labelled_2021(self) -> None:
        chosen = versions_in_force(shipped_policies(), date(2025, 1, 1))
        assert {chosen[p].version for p in ("ln_gazelle", "ln_unicorn", "ln_eaglet")} == {"2021"}  # type: ignore[union-attr]


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "field"),
        [
            (criteria(LEAF + "left: {fact: employees}, op: gte, value: 1}"), "criteria.all[0].op"),
            (criteria(LEAF + "left: {fact: nope}, op: ge, value: 1}"), "criteria.all[0].left.fact"),
            (criteria(LEAF + "left: {fact: titles}, op: ge, value: 1}"), "criteria.all[0].left.fact"),
            (criteria(LEAF + "left: {fact: employees}, op: ge, value: lots}"), "criteria.all[0].value"),
            (criteria(LEAF + "fact: employees, op: is_true}"), "criteria.all[0].fact"),
            (criteria(LEAF + "fact: rd_institution_level, op: in, value: [city]}"), "criteria.all[0].value"),
            (criteria(LEAF + "op: exists, fact: awards, levels: [global], within_years: 3}"), "criteria.all[0].levels"),
            (criteria(LEAF + "left: {item: [revenue_history, 1]}, op: ge, value: 1}"), "criteria.all[0].left.item[1]"),
            (criteria(LEAF + "left: {score: total}, op: ge, value: 1}"), "criteria.all[0].left.score"),
            (criteria(LEAF + "left: {growth: [1, 2]}, op: ge, value: 1}"), "criteria.all[0].left.growth.years"),
            (criteria("{id: a, label: {zh: 甲}, fact: listed, op: is_true}"), "criteria.all[0].label"),
            (HEAD.replace("effective_from: 2024-01-01\n", "") + "criteria: {}\n", "effective_from"),
            (HEAD + "effective_to: 2023-01-01\ncriteria: {}\n", "effective_to"),
            (criteria(LEAF + "left: {fact: employees}, op: ge, vlaue: 1}"), "criteria.all[0].vlaue"),
            (HEAD + "expires: 2030-01-01\ncriteria: {}\n", "expires"),
        ],
    )
    def test_errors_name_file_and_field(self, text: str, field: str) -> None:
        with pytest.raises(InvalidDataError) as caught:
            parse_policy(text, "mine.yaml")
        assert caught.value.location == ("mine.yaml", field)

    def test_duplicate_ids_are_rejected(self) -> None:
        with pytest.raises(InvalidDataError):
            parse_policy(
                criteria(LEAF + "fact: listed, op: is_true}, " + LEAF + "fact: listed, op: is_false}"), "m.yaml"
            )

    def test_overlapping_versions_are_rejected(self, tmp_path: Path) -> None:
        leaf = criteria(LEAF + "fact: listed, op: is_true}")
        (tmp_path / "a.yaml").write_text(leaf, encoding="utf-8")
        (tmp_path / "b.yaml").write_text(leaf.replace("2024-01-01", "2025-01-01"), encoding="utf-8")
        with pytest.raises(InvalidDataError) as caught:
            load_policies(tmp_path)
        assert caught.value.location == ("b.yaml", "effective_from")

    def test_a_regional_scheme_is_a_new_file(self, tmp_path: Path) -> None:
        (tmp_path / "jl_gazelle-2024.yaml").write_text(
            criteria(LEAF + "left: {age: founded_on}, op: le, value: 15}").replace("id: x", "id: jl_gazelle"),
            encoding="utf-8",
        )
        (policy,) = load_policies(tmp_path)
        assert (policy.id, policy.version) == ("jl_gazelle", "2024")
