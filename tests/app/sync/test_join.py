"""Invite, join and remove with real vaults, a folder target and wsgidav on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app.approvals.checks import decision_ok
from app.approvals.desk import Desk
from app.approvals.service import ApprovalService
from app.approvals.times import when
from app.screening.secrets import get_key, set_key
from app.sync.container import canonical
from app.sync.desk import SyncError, create_desk
from app.sync.inviting import invite
from app.sync.join import join
from app.sync.keys import DevicePublic, new_desk_key, wrap_desk_key
from app.sync.removal import EVENT, remove
from app.sync.run import sync_run
from tests.app.approvals.conftest import add_customer
from tests.app.sync.conftest import ENV, MakeVault, dav_target, run
from tests.integrations.sync_servers import (
    S3_KEY,
    S3_SECRET,
    dav_server,
    new_bucket,
)
from vault.approvals import store
from vault.store import Vault
from vault.sync import desk as desk_rows
from vault.sync import reports

NOW = datetime.now(UTC)


def _invite(a: Vault, tmp_path: Path, name: str = "Bea", *roles: str) -> tuple[Path, str]:
    made = invite(
        a, member=name, roles=roles or ("officer",), to=tmp_path / f"{name}.invite", now=NOW
    )
    return made.file, made.code


def _desk(make_vault: MakeVault, target: str) -> Vault:
    if target.startswith("folder:"):
        Path(target.removeprefix("folder:")).mkdir()
    a = make_vault("a")
    ApprovalService(a).me()  # the root admin, as the first approvals use makes it
    create_desk(a, target=target)
    return a


def _received(vault: Vault, type_: str) -> list[dict[str, Any]]:
    rows = vault.conn.execute(
        "SELECT e.payload FROM events e JOIN event_receipts r ON r.event_id = e.id "
        "WHERE e.type = ?",
        (type_,),
    )
    return [json.loads(bytes(p)) for (p,) in rows]


def _b_decides(b: Vault) -> str:
    """B (who joined as an officer) asks to onboard a customer and rejects it (whoever
    made a request may reject it, not approve it): a decision signed by B's own key,
    the member the vault acts as by default, which needs the officer role."""
    add_customer(b, "C-1")
    service = ApprovalService(b)
    assert service.me().name == "Bea"
    row = service.request_onboarding("C-1")
    assert service.decide(row.id, "reject", "documents missing").ok
    return row.id


def _counts_on(a: Vault, request: str) -> bool:
    """Whether the decision on `request` that reached `a` verifies and its signer held a
    deciding role there when signing (what the approvals status counts)."""
    content = next(p["content"] for p in _received(a, "approvals.requested"))
    decided = next(p for p in _received(a, "approvals.decided") if p["request"] == request)
    signature = bytes.fromhex(decided["signature"][2:])
    valuation = decided.get("valuation")
    signed = None if valuation is None else json.dumps(valuation, sort_keys=True)
    ok = decision_ok(
        content,
        decided["verdict"],
        decided["reason"],
        decided["decided_at"],
        signature,
        decided["signer"],
        signed,
    )
    held = Desk(a).trust().held(decided["signer"], when(decided["decided_at"]))
    return ok and "officer" in held


def test_invite_join_and_a_decision_that_counts_through_a_folder(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    joined = join(b, file=file, code=code, now=NOW)
    assert joined.member == "Bea" and joined.announced
    assert joined.desk == desk_rows.desk(a.conn).desk  # type: ignore[union-attr]
    # On B at once: Bea is B's member, an officer by the admin's grant.
    bea = ApprovalService(b).me()
    assert bea.name == "Bea" and bea.roles == ("officer",)
    request = _b_decides(b)
    assert ApprovalService(b).detail(request).row.status == "rejected"
    run(b)
    first = run(a)
    assert first.pulled >= 1 and first.quarantined == 0
    devices = {d.member_name: d.trust for d in desk_rows.devices(a.conn)}
    assert devices["Bea"] == "granted"
    roles = Desk(a).roles()
    bea_address = ApprovalService(b).me().address
    assert roles[bea_address] == frozenset({"officer"})
    assert _counts_on(a, request)


def test_wrong_code_expired_and_reused_invitations_are_refused(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    other = _invite(a, tmp_path, "Other")[1]
    with pytest.raises(SyncError, match="does not open the invitation"):
        join(b, file=file, code=other, now=NOW)
    with pytest.raises(SyncError, match="expired"):
        join(b, file=file, code=code, now=NOW + timedelta(hours=73))
    join(b, file=file, code=code, now=NOW)
    c = make_vault("c")
    with pytest.raises(SyncError, match="used already"):
        join(c, file=file, code=code, now=NOW)
    assert desk_rows.desk(c.conn) is None
    # A vault that is a device already is told so, before the code is even tried.
    with pytest.raises(SyncError, match="already a device of a desk"):
        join(b, file=file, code=code, now=NOW)


def test_a_second_claim_of_one_invitation_counts_for_nobody(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Two devices that join with one invitation while the target is out of reach: the
    desk counts neither member's grants."""
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    away = tmp_path / "target"
    hidden = tmp_path / "hidden"
    away.rename(hidden)  # neither joiner can read the target to see the other
    b, c = make_vault("b"), make_vault("c")
    join(b, file=file, code=code, now=NOW)
    desk_rows_c = join(c, file=file, code=code, now=NOW)
    assert desk_rows_c.notes  # it said it could not check the target
    hidden.rename(away)
    run(b)
    run(c)
    run(a)
    roles = Desk(a).roles()
    assert ApprovalService(b).me().address not in roles
    assert ApprovalService(c).me().address not in roles


def test_invite_refusals(make_vault: MakeVault, tmp_path: Path) -> None:
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    with pytest.raises(SyncError, match="not a role"):
        invite(a, member="Bea", roles=("boss",), to=tmp_path / "x", now=NOW)
    with pytest.raises(SyncError, match="already has a member"):
        invite(
            a, member=ApprovalService(a).me().name, roles=("officer",), to=tmp_path / "x", now=NOW
        )
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    join(b, file=file, code=code, now=NOW)
    with pytest.raises(SyncError, match="not an admin"):
        invite(b, member="Cid", roles=("officer",), to=tmp_path / "y", now=NOW)


def test_an_invitation_changed_or_asking_too_much_is_refused(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    doc = json.loads(file.read_text())
    doc["kdf"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB per guess
    greedy = tmp_path / "greedy.invite"
    greedy.write_text(json.dumps(doc))
    with pytest.raises(SyncError, match="out of bounds"):
        join(b, file=greedy, code=code, now=NOW)
    huge = tmp_path / "huge.invite"
    huge.write_bytes(b" " * (2 * 1024 * 1024))
    with pytest.raises(SyncError, match="this is not one"):
        join(b, file=huge, code=code, now=NOW)
    doc = json.loads(file.read_text())
    sealed = bytearray(base64.b64decode(doc["sealed"]))
    sealed[10] ^= 1
    doc["sealed"] = base64.b64encode(bytes(sealed)).decode()
    flipped = tmp_path / "flipped.invite"
    flipped.write_text(json.dumps(doc))
    with pytest.raises(SyncError, match="does not open"):
        join(b, file=flipped, code=code, now=NOW)
    assert desk_rows.desk(b.conn) is None


def _remove_scenario(a: Vault, b: Vault, tmp_path: Path, target_env: dict[str, str]) -> None:
    request = _b_decides(b)
    assert sync_run(b, env=target_env).ok
    assert sync_run(a, env=target_env).ok
    assert _counts_on(a, request)
    bea = next(d.device for d in desk_rows.devices(a.conn) if d.member_name == "Bea")
    removed = remove(a, bea)
    assert removed.devices == (bea,)
    # A writes after the removal: sealed with the new key, which B never receives.
    with a.transaction() as tx:
        tx.event("note.added", {"text": "after Bea left"})
    assert sync_run(a, env=target_env).ok
    # B takes the removal (sealed with the old key) but cannot open what follows.
    after = sync_run(b, env=target_env)
    held = {(q.reason, q.hold) for q in reports.quarantined(b.conn)}
    assert ("unknown_key", True) in held, held
    assert not [e for e in _received(b, "note.added") if e["text"] == "after Bea left"]
    assert after.quarantined >= 1
    # A segment B signs afterwards is quarantined on A; B's earlier decision still counts.
    with b.transaction() as tx:
        tx.event("note.added", {"text": "Bea after removal"})
    assert sync_run(b, env=target_env).ok
    late = sync_run(a, env=target_env)
    assert late.quarantined == 1
    reasons = {q.reason for q in reports.quarantined(a.conn)}
    assert reasons == {"removed_device"}
    assert not [e for e in _received(a, "note.added") if e["text"] == "Bea after removal"]
    assert _counts_on(a, request)


def test_remove_through_a_folder(make_vault: MakeVault, tmp_path: Path) -> None:
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    join(b, file=file, code=code, now=NOW)
    _remove_scenario(a, b, tmp_path, {})


def test_invite_join_and_remove_through_wsgidav(
    make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only A has the WebDAV password (from the environment); B gets it from the
    invitation and keeps it the way 'keys set webdav' does."""
    root = tmp_path / "dav"
    (root / "strongroom").mkdir(parents=True)
    with dav_server(root) as served:
        a = _desk(make_vault, dav_target(served))
        monkeypatch.setenv("STRONGROOM_WEBDAV_PASSWORD", ENV["STRONGROOM_WEBDAV_PASSWORD"])
        file, code = _invite(a, tmp_path)
        monkeypatch.delenv("STRONGROOM_WEBDAV_PASSWORD")
        b = make_vault("b")
        joined = join(b, file=file, code=code, now=NOW, env={})
        assert joined.announced and not joined.notes
        assert ENV["STRONGROOM_WEBDAV_PASSWORD"].encode() not in file.read_bytes()
        b_env: dict[str, str] = {}
        assert sync_run(b, env=b_env).ok  # the stored password, no environment
        request = _b_decides(b)
        assert sync_run(b, env=b_env).ok
        assert sync_run(a, env=ENV).ok
        assert _counts_on(a, request)
        removed = remove(a, "Bea")
        assert removed.member == "Bea" and len(removed.devices) == 1
        with a.transaction() as tx:
            tx.event("note.added", {"text": "after Bea left"})
        assert sync_run(a, env=ENV).ok
        sync_run(b, env=b_env)
        assert "unknown_key" in {q.reason for q in reports.quarantined(b.conn)}
        # Bea's role was revoked too: a decision she signs later counts nowhere.
        assert "officer" not in Desk(a).roles().get(ApprovalService(b).me().address, set())
        assert _counts_on(a, request)


def test_a_removal_not_signed_by_an_admin_changes_nothing(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """B, an officer, writes a removal of A's device with a new key for itself, signed
    with its own member key, as a changed client could: A ignores it."""
    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    join(b, file=file, code=code, now=NOW)
    run(b)
    run(a)
    me = desk_rows.desk(a.conn)
    b_row = desk_rows.desk(b.conn)
    assert me is not None and b_row is not None
    bea = ApprovalService(b).me()
    bea_key = store.private_key(b.conn, bea.id)
    assert bea_key is not None
    key = new_desk_key()
    b_public = next(d for d in desk_rows.devices(b.conn) if d.device == b_row.device)
    body = {
        "desk": me.desk,
        "removed": [{"device": me.device, "removed_after": 0}],
        "member": "",
        "key": key.key_id,
        "wraps": [
            wrap_desk_key(
                key,
                desk=me.desk,
                to=DevicePublic(b_public.device, b_public.signing, b_public.agreement),
            )
        ],
        "at": NOW.isoformat(),
        "by": bea.address,
    }
    signed = Account.sign_message(encode_defunct(canonical(body)), bea_key)
    with b.transaction() as tx:
        tx.event(EVENT, {**body, "signature": "0x" + bytes(signed.signature).hex()})
    run(b)
    keys_before = set(desk_rows.keys(a.conn))
    taken = run(a)
    assert taken.pulled == 1 and taken.quarantined == 0
    assert all(d.removed_after is None for d in desk_rows.devices(a.conn))
    assert set(desk_rows.keys(a.conn)) == keys_before


def test_join_through_moto_s3_takes_the_keys_from_the_invitation(
    make_vault: MakeVault, tmp_path: Path, s3_endpoint: str
) -> None:
    """A keeps its S3 keys as 'keys set s3 --with-secret' does; B is given nothing but
    the file and the code, and keeps the keys the same way (moto takes any key here;
    `s3_auth_checked` refuses every key, so the stored pair is what is checked)."""
    a = make_vault("a")
    ApprovalService(a).me()
    set_key(a, "s3", S3_KEY, S3_SECRET)
    create_desk(a, target=f"s3:{new_bucket(s3_endpoint)}/desk", endpoint=s3_endpoint)
    file, code = _invite(a, tmp_path)
    assert S3_SECRET.encode() not in file.read_bytes()
    b = make_vault("b")
    joined = join(b, file=file, code=code, now=NOW, env={})
    assert joined.announced and not joined.notes
    stored = get_key(b, "s3")
    assert stored is not None and (stored.key, stored.secret) == (S3_KEY, S3_SECRET)
    assert desk_rows.targets(b.conn) == desk_rows.targets(a.conn)  # with the endpoint
    request = _b_decides(b)
    assert sync_run(b, env={}).ok
    assert sync_run(a, env={}).ok
    assert _counts_on(a, request)


def test_the_window_signs_as_the_joined_member(make_vault: MakeVault, tmp_path: Path) -> None:
    from ui.approvals.context import signer_of

    a = _desk(make_vault, f"folder:{tmp_path / 'target'}")
    file, code = _invite(a, tmp_path)
    b = make_vault("b")
    join(b, file=file, code=code, now=NOW)
    signer = signer_of(ApprovalService(b))
    assert signer is not None and signer.name == "Bea" and signer.roles == ("officer",)
