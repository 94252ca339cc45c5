"""The bundled sample: small, licensed, every file named in NOTICE.md, and exactly what the build script makes."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from types import ModuleType

from techbridge.imports.sample import DataOrigin, effective_data_dir, sample_dir
from tests.conftest import SHARED_DATA, requires_shared_data
from tests.scripts import load_script


def _script() -> ModuleType:
    return load_script("build_sample")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class TestSample:
    def test_every_file_is_named_with_its_licence_in_the_notice(self) -> None:
        notice = (sample_dir() / "NOTICE.md").read_text(encoding="utf-8")
        data_files = [name for name in _files(sample_dir()) if name not in {"NOTICE.md", "manifest.json"}]
        assert data_files
        for name in data_files:
            line = next(line for line in notice.splitlines() if f"`{name}`" in line)
            assert any(licence in line for licence in ("Apache-2.0", "WTFPL", "CC BY 4.0", "MPL-2.0", "MIT"))

    def test_it_stays_small_once_compressed(self) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(sample_dir(), arcname="sample")
        assert buffer.tell() < 5_000_000

    def test_the_configured_folder_wins_when_present(self, tmp_path: Path) -> None:
        assert effective_data_dir(tmp_path) == (tmp_path, DataOrigin.SHARED)
        assert effective_data_dir(tmp_path / "absent") == (sample_dir(), DataOrigin.SAMPLE)

    @requires_shared_data
    def test_the_build_script_reproduces_the_shipped_files(self, tmp_path: Path) -> None:
        assert _script().main(["--source", str(SHARED_DATA), "--target", str(tmp_path / "sample")]) == 0
        assert _files(tmp_path / "sample") == _files(sample_dir())

    def test_the_script_refuses_a_folder_that_is_not_the_shared_data(self, tmp_path: Path) -> None:
        assert _script().main(["--source", str(tmp_path), "--target", str(tmp_path / "out")]) == 2
        assert not (tmp_path / "out").exists()
