"""Object names for widgets, so tests and style sheets can find them."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

ObjectT = TypeVar("ObjectT", bound=QObject)


def named(obj: ObjectT, name: str) -> ObjectT:
    """Set `obj`'s objectName and return it (the stubs lack the keyword form)."""
    obj.setObjectName(name)
    return obj
