"""Import rules that pytest checks on every run (import-linter checks the packages' layers in .ci/checks).

Pages only lay out what the domain computes: they never reach the store through SQLAlchemy. The domain never imports
Streamlit, so it runs (and is tested) without a browser or a Streamlit server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
DOMAIN = sorted((ROOT / "src" / "dashboard").rglob("*.py"))


def imported_packages(source: str) -> set[str]:
    """The top-level package of every module the source imports, at any depth (inside functions too).
    Relative imports name no outside package, so they are left out."""
    packages = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_imported_packages_sees_every_form_of_import() -> None:
    source = """
import os.path, json as j
from sqlalchemy.orm import Session
def later():
    import streamlit as st
from . import sibling
"""
    assert imported_packages(source) == {"os", "json", "sqlalchemy", "streamlit"}


def test_there_are_pages_and_domain_modules_to_check() -> None:
    # A moved folder would otherwise leave the checks below passing on nothing.
    assert len(PAGES) > 5 and ROOT / "app.py" in PAGES
    assert ROOT / "src" / "dashboard" / "models.py" in DOMAIN


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_pages_never_import_sqlalchemy(path: Path) -> None:
    assert "sqlalchemy" not in imported_packages(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DOMAIN, ids=lambda path: str(path.relative_to(ROOT / "src")))
def test_the_domain_never_imports_streamlit(path: Path) -> None:
    imported = imported_packages(path.read_text(encoding="utf-8"))
    assert not imported & {"streamlit", "dashboard_ui"}
