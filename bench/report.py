"""Writing a benchmark's section into docs/benchmarks.md (replace it when present, append it otherwise)."""

from __future__ import annotations

import time
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(section: str, text: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the `section` heading's block (up to the next `## `) with `text`, or append `text`."""
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if section in doc:
        head, rest = doc.split(section, 1)
        tail = rest.split("\n## ", 1)
        doc = head + text.rstrip("\n") + "\n" + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    path.write_text(doc, encoding="utf-8")


def publish(section: str, text: str, *, started: float, write: bool, path: Path = BENCHMARKS_MD) -> None:
    """Print a benchmark's section with its wall time since `started` (perf_counter), and write it when asked."""
    text += f"\nTotal wall time {time.perf_counter() - started:.0f} s.\n"
    print(text)
    if write:
        write_section(section, text, path)
