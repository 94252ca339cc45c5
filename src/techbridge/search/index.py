"""Versioned index artifacts: each build writes `<index_dir>/<name>/<version>/`, then `CURRENT` is switched to it.

Readers open whatever `CURRENT` names, so a rebuild never disturbs searches in progress; old versions beyond
KEEP_VERSIONS are removed after a switch.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

CURRENT_FILE = "CURRENT"
META_FILE = "meta.json"
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class ArtifactInfo:
    """What a version directory holds."""

    name: str
    version: str
    path: Path
    doc_count: int
    built_at: str
    source: str = ""
    format: int = 1
    """The tokenization format the version was built with (1 when the metadata predates the field)."""


def new_version(index_dir: Path, name: str) -> tuple[str, Path]:
    """A fresh, empty version directory (named by UTC time, unique within the artifact)."""
    stamp = datetime.now(UTC).strftime("v%Y%m%d%H%M%S%f")
    path = index_dir / name / stamp
    path.mkdir(parents=True, exist_ok=False)
    return stamp, path


def activate(
    index_dir: Path, name: str, version: str, *, doc_count: int, source: str = "", format: int = 1
) -> ArtifactInfo:
    """Record the version's metadata (data source, tokenization format), switch CURRENT, prune old versions."""
    root = index_dir / name
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    meta = {
        "name": name,
        "version": version,
        "doc_count": doc_count,
        "built_at": built_at,
        "source": source,
        "format": format,
    }
    (root / version / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    tmp = root / f".{CURRENT_FILE}.tmp"
    tmp.write_text(version, encoding="utf-8")
    os.replace(tmp, root / CURRENT_FILE)
    prune_versions(index_dir, name)
    return ArtifactInfo(name, version, root / version, doc_count, built_at, source, format)


_Stamp = tuple[int, int, int]
_T = TypeVar("_T")
_READ: dict[Path, tuple[_Stamp, ArtifactInfo]] = {}
"""The metadata last read per version's metadata file, with the (inode, mtime, size) it had: every search asks for
the active version, and while a version's metadata is unchanged one stat() answers it."""
_POINTED: dict[Path, tuple[_Stamp, str]] = {}
"""The version CURRENT last named, per CURRENT file, with its stamp: `activate` replaces the file (a new inode)."""
_KEPT_FILES = 16
"""Files remembered per cache (versions and index folders come and go with rebuilds and tests)."""


def _stamp(path: Path) -> _Stamp | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_if_changed(path: Path, cache: dict[Path, tuple[_Stamp, _T]], parse: Callable[[str], _T]) -> _T | None:
    """`parse` of the file's text, read again only when its stamp moved; None when the file is missing."""
    stamp = _stamp(path)
    if stamp is None:
        return None
    seen = cache.get(path)
    if seen is not None and seen[0] == stamp:
        return seen[1]
    try:
        value = parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if len(cache) > _KEPT_FILES:
        cache.clear()
    cache[path] = (stamp, value)
    return value


def current_version(index_dir: Path, name: str) -> ArtifactInfo | None:
    """The active version, or None when nothing was built yet."""
    root = index_dir / name
    version = _read_if_changed(root / CURRENT_FILE, _POINTED, str.strip)
    if version is None:
        return None
    path = root / version

    def parse(text: str) -> ArtifactInfo:
        meta = json.loads(text)
        return ArtifactInfo(
            name,
            version,
            path,
            int(meta.get("doc_count", 0)),
            str(meta.get("built_at", "")),
            str(meta.get("source", "")),
            int(meta.get("format", 1)),
        )

    return _read_if_changed(path / META_FILE, _READ, parse)


def update_count(info: ArtifactInfo, doc_count: int) -> None:
    """Rewrite the document count of the active version after incremental updates."""
    meta_path = info.path / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["doc_count"] = doc_count
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    _READ.pop(meta_path, None)


def prune_versions(index_dir: Path, name: str, keep: int = KEEP_VERSIONS) -> list[str]:
    """Delete all but the newest `keep` versions (never the current one); returns the removed names."""
    root = index_dir / name
    current = (root / CURRENT_FILE).read_text(encoding="utf-8").strip() if (root / CURRENT_FILE).exists() else ""
    versions = sorted((p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("v")), reverse=True)
    removed = [v for v in versions[keep:] if v != current]
    for version in removed:
        shutil.rmtree(root / version, ignore_errors=True)
    return removed


POSITION_FILE = "outbox.position"
"""The last outbox event a version reflects: written at build (events up to then are in it), advanced by the
indexer as it applies later events; each host's var folder holds its own, so each host's indexer catches up alone."""


def read_position(path: Path) -> int:
    """The outbox position recorded in a version directory (0 when none was recorded)."""
    file = path / POSITION_FILE
    return int(file.read_text(encoding="utf-8").strip() or 0) if file.exists() else 0


def write_position(path: Path, position: int) -> None:
    """Record the outbox position of a version directory (atomically: write, then rename)."""
    tmp = path / f".{POSITION_FILE}.tmp"
    tmp.write_text(str(position), encoding="utf-8")
    os.replace(tmp, path / POSITION_FILE)
