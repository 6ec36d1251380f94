"""Evidence: one request and every decision on it, as a file any EIP-712 tool checks."""

from __future__ import annotations

import json
from pathlib import Path

from app.approvals import signing
from app.approvals.desk import Desk
from app.approvals.model import ApprovalError
from app.approvals.queue_read import content_of, detail
from vault.approvals import store
from vault.atomic import write_atomic


def export(desk: Desk, request_id: str, path: Path, *, overwrite: bool = False) -> None:
    """The request and every decision with its EIP-712 typed data, signature and
    signer: checkable by any EIP-712 tool without Strongroom. Audited. An existing
    file is replaced only with `overwrite` (the user confirmed it)."""
    found = detail(desk, request_id)
    content = content_of(desk, request_id)
    decisions = store.decisions_of(desk.conn, request_id)
    views = {v.id: v for v in found.decisions}
    document = {
        "format": "strongroom-approval-export-1",
        "request": {
            "id": request_id,
            "kind": found.row.kind,
            "status": found.row.status,
            "reasons": list(found.reasons),
            "content": content,
        },
        "decisions": [
            {
                "id": d.id,
                "member": views[d.id].member,
                "verdict": d.verdict,
                "reason": d.reason,
                "decided_at": d.created_at,
                "typed_data": signing.typed_data(
                    "Decision",
                    signing.decision_message(
                        content,
                        d.verdict,
                        d.reason,
                        d.created_at,
                        None if d.valuation is None else json.loads(d.valuation),
                    ),
                ),
                "signature": "0x" + d.signature.hex(),
                "signer": d.signer,
                "verified": views[d.id].verified,
                "counted": views[d.id].counted,
                "ignored_reason": views[d.id].ignored_reason,
                "local_only": d.local_only,
            }
            for d in decisions
        ],
    }
    target = Path(path)
    if target.exists() and not overwrite:
        raise ApprovalError(f"{target} exists already; choose a new file")
    # Customer data: written whole or not at all, readable by the owner only (0600).
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_atomic(target, text.encode("utf-8"))
    desk.vault.audit("approvals.exported", {"request": request_id, "file": target.name})
