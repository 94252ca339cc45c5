"""Documentation stays true: every setting is documented and every module has a line in architecture.md."""

from __future__ import annotations

from pathlib import Path

from techbridge.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in text]
    assert missing == []


def test_every_module_is_listed_in_architecture() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    src = ROOT / "src" / "techbridge"
    missing = []
    for path in sorted(src.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(src).as_posix()
        short = rel.split("/", 1)[-1] if "/" in rel else rel
        if rel not in text and f"`{short}`" not in text and f"/{short}" not in text:
            missing.append(rel)
    assert missing == []
