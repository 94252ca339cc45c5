"""Writing benchmark sections into docs/benchmarks.md."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bench.report import publish


class TestPublish:
    def test_the_section_is_printed_with_its_wall_time_and_replaces_the_old_one(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        doc = tmp_path / "benchmarks.md"
        doc.write_text("# Benchmarks\n\n## A\nold figures\n\n## B\nkept\n", encoding="utf-8")
        publish("## A", "## A\nnew figures", started=time.perf_counter(), write=True, path=doc)
        assert "new figures\nTotal wall time 0 s." in capsys.readouterr().out
        expected = "# Benchmarks\n\n## A\nnew figures\nTotal wall time 0 s.\n\n## B\nkept\n"
        assert doc.read_text(encoding="utf-8") == expected

    def test_without_write_nothing_is_written(self, tmp_path: Path) -> None:
        doc = tmp_path / "benchmarks.md"
        publish("## A", "## A\nfigures", started=time.perf_counter(), write=False, path=doc)
        assert not doc.exists()
