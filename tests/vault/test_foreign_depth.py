"""A received event whose payload nests deeper than any event does is refused before
anything parses it: with the recursion limit the eth libraries set, json.loads of it
overflowed the C stack (the process died with SIGSEGV)."""

from __future__ import annotations

import base64

import pytest

from vault.events import GENESIS, event_hash
from vault.sync.event_rows import ForeignEventsError, take_foreign
from vault.unlock import Created

DEVICE = "d-" + "7" * 30


def _row(payload: bytes) -> dict[str, object]:
    fields = {
        "event_id": "e-1",
        "device": DEVICE,
        "seq": 1,
        "lamport": 1,
        "type_": "note.added",
        "payload": payload,
        "author": "root",
        "created_at": "2026-12-07T10:00:00+00:00",
    }
    digest = event_hash(prev_hash=GENESIS, **fields)  # type: ignore[arg-type]
    return {
        "id": "e-1",
        "device": DEVICE,
        "seq": 1,
        "lamport": 1,
        "type": "note.added",
        "payload": base64.b64encode(payload).decode(),
        "author": "root",
        "created_at": "2026-12-07T10:00:00+00:00",
        "signature": None,
        "prev_hash": GENESIS.hex(),
        "hash": digest.hex(),
    }


@pytest.mark.parametrize("deep", [b"[" * 200_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000])
def test_a_deeply_nested_payload_is_refused_and_nothing_is_taken(
    created: Created, deep: bytes
) -> None:
    conn = created.vault.conn
    before = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(ForeignEventsError, match="nests deeper"):
        take_foreign(
            conn,
            [_row(deep)],
            log_device=DEVICE,
            segment="s",
            now="now",
            projection=lambda _t: "none",
        )
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == before


def test_an_ordinary_payload_passes_the_depth_check(created: Created) -> None:
    conn = created.vault.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        taken = take_foreign(
            conn,
            [_row(b'{"customer": "c-1", "body": [[1, 2], {"x": [3]}]}')],
            log_device=DEVICE,
            segment="s",
            now="now",
            projection=lambda _type: "none",
        )
    finally:
        conn.execute("ROLLBACK")
    assert [t.event_id for t in taken] == ["e-1"]
