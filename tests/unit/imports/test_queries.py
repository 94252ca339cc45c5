"""Reads and locks of the importers, on a real database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.imports.queries import lock_for_import
from techbridge.imports.schemas import ImportSummary
from techbridge.imports.spreadsheet import import_spreadsheet
from techbridge.models import Achievement

ROWS = "编号,成果名称,成果类型,技术就绪度\nC1,一种储能电池,专利,5\nC2,一种催化剂,论文,3\n"


class TestLockForImport:
    def test_an_import_waits_for_a_concurrent_one_and_updates_its_records(
        self, settings: Settings, session: Session, tmp_path: Path
    ) -> None:
        path = tmp_path / "same.csv"
        path.write_text(ROWS, encoding="utf-8")
        lock_for_import(session, "file:same.csv")  # another import, holding the lock until it commits
        session.add(Achievement(kind="patent", title="一种储能电池", source_dataset="file:same.csv", source_key="C1"))
        session.flush()
        results: list[ImportSummary | BaseException] = []

        def run() -> None:
            try:
                results.append(import_spreadsheet(settings, "achievement", path, show_progress=False))
            except BaseException as exc:  # the thread's failure is the test's assertion
                results.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(1.5)  # the second import is past reading the stored keys before the first commits
        session.commit()
        worker.join(timeout=30)
        [summary] = results
        assert isinstance(summary, ImportSummary), summary
        assert (summary.counts["achievement.inserted"], summary.counts["achievement.updated"]) == (1, 1)
        assert session.scalar(select(func.count()).select_from(Achievement)) == 2
