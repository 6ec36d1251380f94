"""Fixtures of the case tests: a real vault (the sanctions tests' own)."""

from __future__ import annotations

from tests.app.test_screening_sanctions import vault as vault  # re-exported fixture
