"""The redistributable sample shipped in the package, and where the registry's built-in data came from.

`make run` loads the shared data folder when it is present and this sample otherwise (see `bootstrap.py`); the home
page says which, using `data_origin`. The sample is built by `scripts/build_sample.py`; `data/sample/NOTICE.md`
names each source and licence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from pathlib import Path

from sqlalchemy.orm import Session

from techbridge.imports.queries import import_run_paths


class DataOrigin(StrEnum):
    """Where the built-in sources of this registry were read from."""

    SHARED = "shared"
    SAMPLE = "sample"
    NONE = "none"


@dataclass(frozen=True)
class DataSource:
    """The origin and the folder it names (None when nothing was imported)."""

    origin: DataOrigin
    folder: str | None = None


def sample_dir() -> Path:
    """The folder of the bundled sample (same layout as the shared data folder)."""
    return Path(str(files("techbridge"))) / "data" / "sample"


def effective_data_dir(configured: Path) -> tuple[Path, DataOrigin]:
    """The configured data folder when it exists, else the bundled sample."""
    if configured.exists():
        return configured, DataOrigin.SHARED
    return sample_dir(), DataOrigin.SAMPLE


def data_origin(session: Session) -> DataSource:
    """Whether the registry's built-in sources came from the shared data folder, the sample, or nowhere yet."""
    paths = import_run_paths(session)
    if not paths:
        return DataSource(DataOrigin.NONE)
    sample = str(sample_dir())
    if all(path.startswith(sample) for path in paths):
        return DataSource(DataOrigin.SAMPLE, sample)
    shared = [p for p in paths if not p.startswith(sample)]
    return DataSource(DataOrigin.SHARED, _common_folder(shared))


def _common_folder(paths: list[str]) -> str:
    """The deepest folder holding the paths (relative paths stay relative, as configured); when absolute and
    relative paths are mixed (imports run from other configurations), that of the larger group, absolute on a tie."""
    parents = [Path(p).parent for p in paths]
    absolute = [str(p) for p in parents if p.is_absolute()]
    relative = [str(p) for p in parents if not p.is_absolute()]
    return os.path.commonpath(absolute if len(absolute) >= len(relative) else relative)
