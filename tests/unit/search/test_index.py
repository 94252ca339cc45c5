"""Versioned index artifacts."""

from __future__ import annotations

from pathlib import Path

from techbridge.search.index import activate, current_version, new_version, prune_versions, update_count


class TestArtifacts:
    def test_activate_switches_current_and_prunes(self, tmp_path: Path) -> None:
        assert current_version(tmp_path, "lexical") is None
        made = [new_version(tmp_path, "lexical") for _ in range(3)]
        for version, _ in made:
            info = activate(tmp_path, "lexical", version, doc_count=5, source="sqlite://")
        current = current_version(tmp_path, "lexical")
        assert current is not None
        assert current.version == made[-1][0] == info.version
        assert (current.doc_count, current.source) == (5, "sqlite://")
        assert not made[0][1].exists()
        update_count(current, 9)
        assert current_version(tmp_path, "lexical").doc_count == 9  # type: ignore[union-attr]
        assert prune_versions(tmp_path, "lexical") == []

    def test_every_activation_is_seen_by_the_next_look(self, tmp_path: Path) -> None:
        # the CURRENT file's content is kept while its stamp stands: a replaced file must be read again
        for _ in range(3):
            version, _ = new_version(tmp_path, "lexical")
            activate(tmp_path, "lexical", version, doc_count=1)
            assert current_version(tmp_path, "lexical").version == version  # type: ignore[union-attr]
        (tmp_path / "lexical" / "CURRENT").unlink()
        assert current_version(tmp_path, "lexical") is None

    def test_format_is_recorded_and_defaults_to_1_for_older_metadata(self, tmp_path: Path) -> None:
        version, path = new_version(tmp_path, "lexical")
        assert activate(tmp_path, "lexical", version, doc_count=0, format=2).format == 2
        assert current_version(tmp_path, "lexical").format == 2  # type: ignore[union-attr]
        (path / "meta.json").write_text('{"doc_count": 3}', encoding="utf-8")
        assert current_version(tmp_path, "lexical").format == 1  # type: ignore[union-attr]

    def test_pointer_to_missing_metadata(self, tmp_path: Path) -> None:
        version, _ = new_version(tmp_path, "x")
        (tmp_path / "x" / "CURRENT").write_text(version)
        assert current_version(tmp_path, "x") is None
