"""Signature vectors: what Strongroom signs verifies with eth-account alone."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from app.approvals import signing
from tests.app.approvals.conftest import SIGNED_CONTENT

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
CONTENT = SIGNED_CONTENT


def test_a_decision_recovers_with_eth_account() -> None:
    message = signing.decision_message(
        CONTENT, "approve", "KYC fine", "2026-12-04T02:00:00.000+00:00"
    )
    signature = signing.sign(KEY, "Decision", message)
    signable = encode_typed_data(full_message=signing.typed_data("Decision", message))
    signer = Account.recover_message(signable, signature=signature)
    assert signer == Account.from_key(KEY).address == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    digest = signing.decision_digest(
        CONTENT, "approve", "KYC fine", "2026-12-04T02:00:00.000+00:00"
    )
    assert digest == signing.eth_account_digest("Decision", message)
    assert signing.recover(digest, signature) == signer


def test_a_role_grant_recovers_with_eth_account() -> None:
    admin = Account.from_key(KEY).address
    message = signing.grant_message(admin, "root", "admin", "2026-12-04T02:00:00.000+00:00")
    signature = signing.sign(KEY, "RoleGrant", message)
    signable = encode_typed_data(full_message=signing.typed_data("RoleGrant", message))
    assert Account.recover_message(signable, signature=signature) == admin
    digest = signing.grant_digest(admin, "root", "admin", "2026-12-04T02:00:00.000+00:00")
    assert signing.verifies(digest, signature, admin)


def test_a_role_revocation_recovers_with_eth_account() -> None:
    admin = Account.from_key(KEY).address
    at = "2026-12-04T03:00:00.000+00:00"
    message = signing.revoke_message(admin, "ana", "officer", at)
    signature = signing.sign(KEY, "RoleRevoke", message)
    signable = encode_typed_data(full_message=signing.typed_data("RoleRevoke", message))
    assert Account.recover_message(signable, signature=signature) == admin
    digest = signing.revoke_digest(admin, "ana", "officer", at)
    assert digest == signing.eth_account_digest("RoleRevoke", message)
    assert signing.verifies(digest, signature, admin)
    # Not interchangeable with a grant of the same role at the same time.
    assert not signing.verifies(signing.grant_digest(admin, "ana", "officer", at), signature, admin)


text = st.text(max_size=40)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(signing.REQUEST_FIELDS), text, text)
def test_changing_any_field_invalidates_the_signature(field: str, value: str, reason: str) -> None:
    at = "2026-12-04T02:00:00.000+00:00"
    signature = signing.sign(
        KEY, "Decision", signing.decision_message(CONTENT, "approve", reason, at)
    )
    signer = Account.from_key(KEY).address
    assert signing.verifies(
        signing.decision_digest(CONTENT, "approve", reason, at), signature, signer
    )
    tampered = {**CONTENT, field: value}
    ok = signing.verifies(
        signing.decision_digest(tampered, "approve", reason, at), signature, signer
    )
    assert ok == (value == CONTENT[field])
    assert not signing.verifies(
        signing.decision_digest(CONTENT, "reject", reason, at), signature, signer
    )


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.sampled_from(signing.REQUEST_FIELDS), text), text)
def test_fast_digest_equals_eth_account(content: dict[str, str], reason: str) -> None:
    message = signing.decision_message(content, "comment", reason, "t")
    assert signing.decision_digest(content, "comment", reason, "t") == signing.eth_account_digest(
        "Decision", message
    )


def test_malformed_signatures_do_not_verify() -> None:
    digest = signing.decision_digest(CONTENT, "approve", "x", "t")
    signer = Account.from_key(KEY).address
    assert not signing.verifies(digest, b"\x00" * 65, signer)
    assert not signing.verifies(digest, b"\x01" * 10, signer)
