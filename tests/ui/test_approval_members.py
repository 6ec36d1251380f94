"""The Members dialog against the real vault: roles granted and members added in the app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.approvals.service import signature_problems
from app.session import VaultSession
from ui.approvals.context import ApprovalsContext
from ui.approvals.members_dialog import MembersDialog
from ui.services import Services

from .approval_helpers import ANA, approvals_page, service, withdrawal
from .book_helpers import add_customer, on_worker
from .conftest import WindowFactory, unlock


def _open_members(qtbot: QtBot, window: object) -> MembersDialog:
    page = approvals_page(window)  # type: ignore[arg-type]
    assert page is not None
    window.workspace.nav.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClick(
        window.workspace.nav,  # type: ignore[attr-defined]
        Qt.Key.Key_4,
        Qt.KeyboardModifier.ControlModifier,
    )
    qtbot.keyClick(
        page,
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialogs = [d for d in page.findChildren(MembersDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() > 0, timeout=10_000)
    return dialog


def _row(dialog: MembersDialog, name: str) -> list[str]:
    for index in range(dialog.tree.topLevelItemCount()):
        item = dialog.tree.topLevelItem(index)
        assert item is not None
        if item.data(0, Qt.ItemDataRole.UserRole + 1) == name:
            return [item.text(c) for c in range(5)]
    raise AssertionError(f"{name} not listed")


def test_a_new_vaults_admin_grants_themself_officer_and_can_then_approve(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    add_customer(session, services, name="Acme Trading", external_id="ACME-1")
    on_worker(services, lambda: service(session).add_member(ANA, ["officer"]))
    request = withdrawal(session, services, "ACME-1", "2500")
    refused = on_worker(services, lambda: service(session).decide(request.id, "approve", "ok"))
    assert not refused.ok and "holds no role" in refused.message

    window = make_window()
    dialog = _open_members(qtbot, window)
    me = on_worker(services, lambda: service(session).me())
    mine = _row(dialog, me.name)
    assert mine[0] == f"{me.name} (you)" and mine[2] == "admin" and "root of trust" in mine[4]
    assert mine[1] == f"{me.address[:6]}…{me.address[-4:]}"
    assert _row(dialog, ANA)[2] == "officer"
    assert "You sign as" in dialog.me_label.text() and "admin" in dialog.me_label.text()
    # Each grant is listed under its member with its signer and check.
    ana = next(
        dialog.tree.topLevelItem(i)
        for i in range(dialog.tree.topLevelItemCount())
        if dialog.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole + 1) == ANA  # type: ignore[union-attr]
    )
    assert ana is not None and ana.childCount() == 1
    grant = ana.child(0)
    assert grant is not None
    assert grant.text(3).startswith(me.name) and grant.text(4) == "✔ verified"

    # Ctrl+C copies the chosen member's whole address.
    dialog.choose(me.name)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == me.address

    # Grant officer to oneself, by keyboard.
    dialog.grant_role.setCurrentIndex(dialog.grant_role.findData("officer"))
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Granted officer" in dialog.outcome.text(), timeout=10_000)
    assert _row(dialog, me.name)[2] == "admin, officer"
    page = approvals_page(window)
    qtbot.waitUntil(lambda: "(admin, officer)" in page.signer_label.text(), timeout=10_000)  # type: ignore[attr-defined]
    done = on_worker(services, lambda: service(session).decide(request.id, "approve", "ok"))
    # The approval now counts (the unscreened address still asks for a screening).
    assert done.ok and done.status == "needs_refresh"
    detail = on_worker(services, lambda: service(session).detail(request.id))
    assert [d.counted for d in detail.decisions] == [True]
    checked, problems = on_worker(services, lambda: signature_problems(session.vault.conn))
    assert checked >= 4 and problems == []

    # Revoke Ana's officer role: listed as revoked, her earlier grant no longer counts.
    dialog.choose(ANA)
    dialog.grant_role.setCurrentIndex(dialog.grant_role.findData("officer"))
    dialog.revoke_button.click()
    qtbot.waitUntil(lambda: "Revoked officer from" in dialog.outcome.text(), timeout=10_000)
    assert _row(dialog, ANA)[2] == "no role"
    ana = next(
        dialog.tree.topLevelItem(i)
        for i in range(dialog.tree.topLevelItemCount())
        if dialog.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole + 1) == ANA  # type: ignore[union-attr]
    )
    assert ana is not None and ana.child(0).text(4).startswith(f"✘ revoked by {me.name}")  # type: ignore[union-attr]
    members = {m.name: m.roles for m in on_worker(services, lambda: service(session).members())}
    assert members[ANA] == ()
    dialog.grab().save("/tmp/members_dialog.png")


def test_adding_a_member_with_roles_in_the_dialog(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    window = make_window()
    dialog = _open_members(qtbot, window)
    qtbot.keyClicks(dialog.name_edit, "  Rosa   Desk Head ")
    dialog.role_boxes["officer"].setChecked(False)
    dialog.role_boxes["desk_head"].setChecked(True)
    dialog.role_boxes["analyst"].setChecked(True)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Added Rosa Desk Head" in dialog.outcome.text(), timeout=10_000)
    assert _row(dialog, "Rosa Desk Head")[2] == "analyst, desk head"
    assert dialog.chosen_name() == "Rosa Desk Head" and dialog.name_edit.text() == ""
    members = {m.name: m.roles for m in on_worker(services, lambda: service(session).members())}
    assert members["Rosa Desk Head"] == ("analyst", "desk_head")
    # The same name twice is refused with the reason, and nothing is added.
    qtbot.keyClicks(dialog.name_edit, "rosa desk head")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: "already a member" in dialog.error_label.text(), timeout=10_000)
    assert len(on_worker(services, lambda: service(session).members())) == 2


def test_a_member_who_is_not_an_admin_is_refused(
    qtbot: QtBot, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    on_worker(services, lambda: service(session).add_member(ANA, ["officer"]))
    context = ApprovalsContext(session, services, acting_as=ANA)
    dialog = MembersDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2, timeout=10_000)
    assert "Only an admin" in dialog.me_label.text()
    dialog.choose(ANA)
    dialog.grant_role.setCurrentIndex(dialog.grant_role.findData("admin"))
    dialog.grant_button.click()
    qtbot.waitUntil(lambda: "not an admin" in dialog.error_label.text(), timeout=10_000)
    members = {m.name: m.roles for m in on_worker(services, lambda: service(session).members())}
    assert members[ANA] == ("officer",)
    dialog.close()
    context.close()
