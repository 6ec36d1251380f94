"""The approvals GUI's pieces that need no vault: ages, amounts, the YAML editor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from ui.approvals import format as fmt
from ui.approvals.request_dialog import parse_amount, parse_asset
from ui.approvals.yaml_editor import YamlEditor

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=12), "12 min"),
        (timedelta(hours=5, minutes=59), "5 h"),
        (timedelta(hours=47), "47 h"),
        (timedelta(days=3, hours=2), "3 d"),
        (timedelta(days=70), "70 d"),
    ],
)
def test_age_reads_short(ago: timedelta, text: str) -> None:
    assert fmt.age(NOW - ago, NOW) == text
    assert fmt.ago(NOW - ago, NOW) == (text if text == "just now" else f"{text} ago")


def test_amounts_read_with_separators_and_asset() -> None:
    assert fmt.amount(Decimal("12500.500"), "USDT") == "12,500.5 USDT"
    assert fmt.amount(Decimal("250000")) == "250,000"
    assert fmt.amount(None) == ""


@pytest.mark.parametrize(
    ("text", "value"),
    [("25,000", Decimal("25000")), (" 0.5 ", Decimal("0.5")), ("1_000.25", Decimal("1000.25"))],
)
def test_amounts_parse(text: str, value: Decimal) -> None:
    assert parse_amount(text, required=True) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Give an amount."),
        ("ten", "is not a number"),
        ("-5", "more than 0"),
        ("0", "more than 0"),
        ("NaN", "more than 0"),
        ("1e-19", "18 decimal places"),
    ],
)
def test_bad_amounts_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(text, required=True)


def test_optional_amount_may_be_empty() -> None:
    assert parse_amount("  ", required=False) is None


def test_assets_are_tickers() -> None:
    assert parse_asset(" usdt ") == "USDT"
    for bad in ("", "US DT", "$$$"):
        with pytest.raises(ValueError):
            parse_asset(bad)


def test_yaml_editor_puts_the_cursor_on_the_error(qtbot: QtBot) -> None:
    editor = YamlEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("roles:\n  - officer\nkinds:\n  whitelist: [\n")
    editor.show_error(3, 3)
    assert editor.cursor_position() == (3, 3)
    assert editor.error_line == 3
    assert len(editor.extraSelections()) == 1
    editor.mark_error(99)  # past the end: the last line
    assert editor.error_line == editor.blockCount()
    editor.insertPlainText("x")  # an edit clears the mark
    assert editor.error_line is None and not editor.extraSelections()


def test_yaml_editor_tab_inserts_spaces(qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt

    editor = YamlEditor()
    qtbot.addWidget(editor)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "  "
