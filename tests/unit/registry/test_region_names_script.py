"""scripts/region_names_en.py: the county names by rule (pinyin words, the type in English, apostrophes, peoples),
the overrides winning, and the shipped file exactly what the script writes. Needs pypinyin (a dev dependency)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("pypinyin")

from tests.scripts import load_script


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script("region_names_en")


class TestJoinSyllables:
    @pytest.mark.parametrize(
        ("parts", "word"),
        [
            (["xi", "an"], "Xi'an"),
            (["tai", "an"], "Tai'an"),
            (["dong", "e"], "Dong'e"),
            (["an", "shan"], "Anshan"),  # no apostrophe before the first syllable
            (["zhen", "xing"], "Zhenxing"),
            (["lü", "shun", "kou"], "Lüshunkou"),
        ],
    )
    def test_words_are_joined_with_an_apostrophe_before_a_o_e(
        self, script: ModuleType, parts: list[str], word: str
    ) -> None:
        assert script.join_syllables(parts) == word


class TestEnglishName:
    @pytest.mark.parametrize(
        ("name", "english"),
        [
            ("和平区", "Heping District"),
            ("沈河区", "Shenhe District"),
            ("长海县", "Changhai County"),
            ("瓦房店市", "Wafangdian City"),
            ("朝阳县", "Chaoyang County"),
            ("阿荣旗", "Arong Banner"),
            ("岫岩满族自治县", "Xiuyan Manchu Autonomous County"),
            ("围场满族蒙古族自治县", "Weichang Manchu and Mongol Autonomous County"),
            ("长白朝鲜族自治县", "Changbai Korean Autonomous County"),
            ("察布查尔锡伯自治县", "Chabucha'er Xibe Autonomous County"),  # a people without 族
            ("融水苗族自治县", "Rongshui Miao Autonomous County"),  # 水 of the name is not the Shui people
            ("东乡族自治县", "Dongxiang Autonomous County"),
            ("梅里斯达斡尔族区", "Meilisi Daur District"),
            ("神农架林区", "Shennongjia Forest District"),
            ("矿区", "Kuang District"),
            ("井陉矿区", "Jingxing Mining District"),
            ("沈北新区", "Shenbei New District"),
            ("秦皇岛市经济技术开发区", "Qinhuangdao Economic and Technological Development Zone"),
            ("河北唐山芦台经济开发区", "Hebei Tangshan Lutai Economic Development Zone"),
            ("镇江新区", "Zhenjiang New District"),
        ],
    )
    def test_by_rule(self, script: ModuleType, name: str, english: str) -> None:
        assert script.english_name(name, script.load_rules()) == english

    def test_an_override_wins(self, script: ModuleType) -> None:
        rows = {row["code"]: row["name_en"] for row in script.generate(script.load_rules(), {"211324": "X Banner"})}
        assert rows["211324"] == "X Banner"
        assert rows["210102"] == "Heping District"

    def test_names_with_a_polyphone_are_listed_for_checking(self, script: ModuleType) -> None:
        rows = [{"code": "210224", "name": "长海县", "name_en": "Changhai County"}]
        assert script.polyphones(rows) == ["210224 长海县 → Changhai County  [长:zhang/chang]"]


class TestShippedFile:
    def test_it_is_what_the_rule_and_the_overrides_give(self, script: ModuleType) -> None:
        assert script.main(["--check"]) == 0

    def test_a_stale_file_is_reported(self, script: ModuleType, tmp_path: Path) -> None:
        stale = tmp_path / "counties_en.csv"
        stale.write_text("code,name,name_en\n", encoding="utf-8")
        assert script.main(["--check", "--target", str(stale)]) == 1
        assert script.main(["--target", str(stale)]) == 0
        assert script.main(["--check", "--target", str(stale)]) == 0
