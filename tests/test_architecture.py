"""The tree is the architecture: domain packages never import the web or CLI layers (checked on the AST)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "techbridge"
DOMAIN_PACKAGES = [
    "registry",
    "imports",
    "search",
    "matching",
    "classify",
    "policies",
    "chains",
    "transfers",
    "challenges",
    "accounts",
    "models",
    "jobs",
    "backups",
]
FORBIDDEN = ("fastapi", "starlette", "typer", "jinja2", "uvicorn", "techbridge.web", "techbridge.cli")


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def domain_files() -> list[Path]:
    return sorted(p for pkg in DOMAIN_PACKAGES for p in (SRC / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_module_does_not_import_adapters(path: Path) -> None:
    bad = sorted(m for m in imported_modules(path) if m.startswith(FORBIDDEN))
    assert bad == [], f"{path.relative_to(SRC)} imports {bad}"


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from fastapi import APIRouter\nimport techbridge.cli.app\n", encoding="utf-8")
    assert imported_modules(sample) == {"fastapi", "techbridge.cli.app"}


def test_only_queries_modules_build_selects_in_registry() -> None:
    offenders = []
    for path in (SRC / "registry").rglob("*.py"):
        if path.name == "queries.py" or path.name.endswith("_queries.py"):
            continue
        source = path.read_text(encoding="utf-8")
        if "select(" in source and "import select" in source:
            offenders.append(path.name)
    assert offenders == []
