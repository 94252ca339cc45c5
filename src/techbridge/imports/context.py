"""What an importer is given: the session of its one transaction, settings, the summary it fills, helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.imports.progress import Progress
from techbridge.imports.regions import RegionLookup
from techbridge.imports.schemas import ImportSummary, Reason, RowError


@dataclass
class ImportContext:
    """State of one running import (one source, one transaction)."""

    session: Session
    settings: Settings
    summary: ImportSummary
    show_progress: bool = True
    _regions: RegionLookup | None = field(default=None, repr=False)

    def source_file(self, path: Path) -> str:
        """The file name recorded as provenance: relative to the data folder when inside it."""
        try:
            return str(path.resolve().relative_to(self.settings.data_dir.resolve()))
        except ValueError:
            return path.name

    def progress(self, label: str, total: int | None = None) -> Progress:
        """A progress bar on stderr (silent when progress is off)."""
        import io

        return Progress(label, total, stream=None if self.show_progress else io.StringIO())

    def regions(self) -> RegionLookup:
        """Region names → codes (loaded once per import)."""
        if self._regions is None:
            self._regions = RegionLookup.load(self.session)
        return self._regions

    def reject(self, path: Path, row: int, column: str, reason: Reason, detail: str = "") -> None:
        """Record a rejected row of `path`."""
        self.summary.reject(RowError(path.name, row, column, reason, detail))
