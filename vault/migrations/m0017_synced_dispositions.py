"""Schema 17: a name-hit disposition made on another device of the desk.

An officer signs a disposition over the hit as their own device numbers it
(`app.names.signing`); the same hit has another number on every other device.
`signed_hit` keeps the number the signature covers, so the disposition still
verifies where it was received (NULL: made here, over this device's number).
"""

from __future__ import annotations

SQL = """
ALTER TABLE name_dispositions ADD COLUMN signed_hit TEXT;
"""
