"""The import run's merge report (a file a person opens from the import result)."""

from __future__ import annotations

from pathlib import Path

from techbridge.imports.schemas import ImportSummary, Merge
from techbridge.imports.service import write_merge_report


def test_the_merge_report_of_an_upload_is_named_without_a_colon(tmp_path: Path) -> None:
    summary = ImportSummary(source="file:organization")
    summary.merges.append(Merge("file:organization", "k1", "华为公司", 7, "华为技术有限公司", "name"))
    path = write_merge_report(tmp_path, summary)
    assert path.name.startswith("merges-file-organization-")
    assert ":" not in path.name
    assert "华为技术有限公司" in path.read_text(encoding="utf-8")
