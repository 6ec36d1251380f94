"""The layers of DESIGN.md: arrows point down only, and no widgets below ui/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    # app may one day use QtCore behind one adapter, but never widgets or GUI types.
    "app": ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtPrintSupport", "ui", "pyqtgraph"),
    "vault": ("PySide6", "ui", "app", "integrations", "pyqtgraph"),
    "integrations": ("PySide6", "ui", "app", "pyqtgraph"),
}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _violations(package: str) -> list[str]:
    bad: list[str] = []
    for file in sorted((ROOT / package).rglob("*.py")):
        for module in imported_modules(file):
            for banned in FORBIDDEN[package]:
                if module == banned or module.startswith(banned + "."):
                    bad.append(f"{file.relative_to(ROOT)} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports(package: str) -> None:
    assert _violations(package) == []


def test_the_check_itself_catches_a_widget_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtWidgets import QLabel\nimport ui.main_window\n")
    modules = imported_modules(sample)
    assert "PySide6.QtWidgets" in modules and "ui.main_window" in modules


def test_only_vault_keys_calls_keyring() -> None:
    callers = [
        str(f.relative_to(ROOT))
        for pkg in ("app", "ui", "vault", "integrations")
        for f in (ROOT / pkg).rglob("*.py")
        if any(m == "keyring" or m.startswith("keyring.") for m in imported_modules(f))
    ]
    assert callers == ["vault/keys.py"]
