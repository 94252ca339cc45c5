"""The redistributable sample shipped in the package, and where the registry's built-in data came from.

`make run` loads the shared data folder when it is present and this sample otherwise (see `bootstrap.py`); the home
page says which, using `data_origin`. The sample is built by `scripts/build_sample.py`; `data/sample/NOTICE.md`
names each source and licence.
"""

from __future__ import annotations

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
    parents = [Path(p).parent for p in paths]
    common = parents[0]
    while any(common not in (parent, *parent.parents) for parent in parents):
        common = common.parent
    return str(common)
