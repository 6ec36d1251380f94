"""The desk's members in the app: who signs, with which roles, granted by whom.

Each member shows with the short signing address (Ctrl+C copies the whole
one), the roles that count, and under it every signed grant: who signed it,
when, and whether the signature verifies and counts (a grant counts when its
granter is the root admin or an admin so granted). An admin adds members
(name and roles, a new key kept in this vault) and grants a role to the chosen
member or revokes it (an admin role: only the root admin); each is signed with
the admin's own key by the service on the database worker. Anyone else is
refused with the reason. GUI thread only.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.approvals.model import ROLES, MemberDetail
from app.approvals.service import ApprovalService
from app.tasks import Progress
from ui.approvals.context import ApprovalsContext
from ui.book.widgets import hint
from ui.naming import named
from ui.worker_dialog import WorkerDialog

_ADDRESS = Qt.ItemDataRole.UserRole
_NAME = Qt.ItemDataRole.UserRole + 1
_OK = "#1b5e20"


def role_label(role: str) -> str:
    return role.replace("_", " ")


def short_address(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}" if len(address) > 14 else address


class MembersDialog(WorkerDialog):
    #: a member was added or a role granted (roles, and so statuses, may have changed)
    changed = Signal()

    def __init__(self, context: ApprovalsContext, parent: QWidget | None = None) -> None:
        super().__init__(context.services, parent)
        self.setObjectName("membersDialog")
        self.setWindowTitle("Desk members and roles")
        self.context = context
        self.roster: list[MemberDetail] = []
        self.is_admin = False
        self.resize(920, 580)

        self.me_label = named(QLabel("Reading the desk…"), "membersMe")
        self.me_label.setWordWrap(True)
        self.tree = named(QTreeWidget(), "membersTree")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Member", "Signing address", "Roles", "Granted by", "Check"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setMinimumHeight(240)
        for column, width in enumerate((190, 110, 120, 220)):
            self.tree.setColumnWidth(column, width)
        self.tree.currentItemChanged.connect(lambda *_: self._chosen_changed())
        self.copy_button = named(QPushButton("&Copy address"), "membersCopy")
        self.copy_button.setToolTip("Copy the chosen member's full signing address (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy_address)
        QShortcut(QKeySequence.StandardKey.Copy, self.tree).activated.connect(self.copy_address)

        # Add a member: name and roles.
        self.name_edit = named(QLineEdit(), "memberName")
        self.name_edit.setPlaceholderText("Name, e.g. Ana Officer")
        self.name_edit.setMaxLength(80)
        self.name_edit.setProperty("lockWhileBusy", True)
        self.name_edit.textChanged.connect(lambda _t: self._update_buttons())
        self.name_edit.returnPressed.connect(self.add_member)
        self.role_boxes: dict[str, QCheckBox] = {}
        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        for role in ROLES:
            box = named(QCheckBox(role_label(role)), f"newRole_{role}")
            box.setProperty("lockWhileBusy", True)
            self.role_boxes[role] = box
            add_row.addWidget(box)
        self.role_boxes["officer"].setChecked(True)
        self.add_button = named(QPushButton("&Add member"), "membersAdd")
        self.add_button.setToolTip("A new member with a signing key kept in this vault (Enter)")
        self.add_button.clicked.connect(self.add_member)
        add_row.addWidget(self.add_button)
        add_box = QGroupBox("Add a member")
        add_box.setLayout(add_row)

        # Grant a role to the chosen member.
        self.grant_role = named(QComboBox(), "grantRole")
        for role in ROLES:
            self.grant_role.addItem(role_label(role), role)
        self.grant_role.setProperty("lockWhileBusy", True)
        self.grant_target = named(QLabel("Choose a member above"), "grantTarget")
        self.grant_button = named(QPushButton("&Grant role"), "membersGrant")
        self.grant_button.setToolTip("Sign the grant with your admin key (Ctrl+G)")
        self.grant_button.clicked.connect(self.grant)
        QShortcut(QKeySequence("Ctrl+G"), self).activated.connect(self.grant)
        self.revoke_button = named(QPushButton("&Revoke role"), "membersRevoke")
        self.revoke_button.setToolTip(
            "Take the role back, signed with your admin key; decisions signed before "
            "keep counting (an admin role: only the root admin)"
        )
        self.revoke_button.clicked.connect(self.revoke)
        grant_row = QHBoxLayout()
        grant_row.addWidget(QLabel("Role"))
        grant_row.addWidget(self.grant_role)
        grant_row.addWidget(QLabel("to"))
        grant_row.addWidget(self.grant_target, 1)
        grant_row.addWidget(self.grant_button)
        grant_row.addWidget(self.revoke_button)
        grant_box = QGroupBox("Grant or revoke a role")
        grant_box.setLayout(grant_row)

        self.outcome = named(QLabel(), "membersResult")
        self.outcome.setWordWrap(True)
        self.body.addWidget(self.me_label)
        self.body.addWidget(
            hint(
                "Roles are EIP-712 grants signed by an admin key; the desk's first admin is "
                "its root of trust. A grant counts when it verifies and its signer is an admin."
            )
        )
        self.body.addWidget(self.tree, 1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        self.body.addLayout(copy_row)
        self.body.addWidget(add_box)
        self.body.addWidget(grant_box)
        self.body.addWidget(self.outcome)
        # Changes happen with the buttons above; the dialog itself only closes.
        self.ok_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        self._update_buttons()
        self.reload()

    # --- reading -------------------------------------------------------------

    def reload(self) -> None:
        """Read the members again (database worker). The first read makes the vault's
        own member, the root admin, when approvals were never used here."""
        self.start(
            lambda success, failure: self.context.write(
                self, lambda service, _p: service.roster(), on_success=success, on_failure=failure
            ),
            on_success=self._show,
        )

    def _show(self, roster: list[MemberDetail]) -> None:
        chosen = self.chosen_name()
        self.roster = roster
        me = next((d for d in roster if d.member.is_me), None)
        self.is_admin = me is not None and "admin" in me.member.roles
        if me is not None:
            roles = ", ".join(role_label(r) for r in me.member.roles) or "no role"
            text = f"You sign as <b>{html.escape(me.member.name)}</b> ({roles})."
            if not self.is_admin:
                text += " Only an admin adds members and grants or revokes roles."
            self.me_label.setText(text)
        self.tree.clear()
        current: QTreeWidgetItem | None = None
        for detail in roster:
            item = _member_item(detail)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
            if detail.member.name == chosen or (current is None and detail.member.is_me):
                current = item
        if current is not None:
            self.tree.setCurrentItem(current)
        self._update_buttons()

    # --- the chosen member ------------------------------------------------------

    def _chosen_item(self) -> QTreeWidgetItem | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return item

    def chosen_name(self) -> str | None:
        item = self._chosen_item()
        return None if item is None else str(item.data(0, _NAME))

    def choose(self, name: str) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None and item.data(0, _NAME) == name:
                self.tree.setCurrentItem(item)
                return

    def _chosen_changed(self) -> None:
        name = self.chosen_name()
        self.grant_target.setText(name if name else "Choose a member above")
        self._update_buttons()

    def copy_address(self) -> None:
        item = self._chosen_item()
        if item is None:
            return
        address = str(item.data(0, _ADDRESS))
        QGuiApplication.clipboard().setText(address)
        self.outcome.setStyleSheet("")
        self.outcome.setText(f"Copied {address}.")

    def _update_buttons(self) -> None:
        idle = not self.busy
        self.add_button.setEnabled(idle and bool(self.name_edit.text().strip()))
        self.grant_button.setEnabled(idle and self.chosen_name() is not None)
        self.revoke_button.setEnabled(idle and self.chosen_name() is not None)
        self.copy_button.setEnabled(self.chosen_name() is not None)

    def update_ok(self) -> None:  # called by WorkerDialog when busy starts and ends
        super().update_ok()
        if hasattr(self, "grant_button"):
            self._update_buttons()

    # --- changing ----------------------------------------------------------------

    def add_member(self) -> None:
        name = " ".join(self.name_edit.text().split())
        roles = [role for role, box in self.role_boxes.items() if box.isChecked()]
        if not name or self.busy:
            return

        def work(service: ApprovalService, _p: Progress) -> list[MemberDetail]:
            service.add_member(name, roles)
            return service.roster()

        def done(roster: list[MemberDetail]) -> None:
            self.name_edit.clear()
            self._show(roster)
            self.choose(name)
            shown = ", ".join(role_label(r) for r in roles) or "no role yet"
            self._say(f"Added {name} ({shown}), with a signing key kept in this vault.")
            self.changed.emit()

        self._change(work, done)

    def grant(self) -> None:
        """Grant the chosen role to the chosen member."""
        self._role_change(
            ApprovalService.grant_role, "Granted {role} to {name}, signed with your admin key."
        )

    def revoke(self) -> None:
        """Take the chosen role back from the chosen member."""
        self._role_change(
            ApprovalService.revoke_role,
            "Revoked {role} from {name}, signed with your admin key; decisions signed "
            "before keep counting.",
        )

    def _role_change(self, change: Callable[[ApprovalService, str, str], None], said: str) -> None:
        name = self.chosen_name()
        role = str(self.grant_role.currentData())
        if name is None or self.busy:
            return

        def work(service: ApprovalService, _p: Progress) -> list[MemberDetail]:
            change(service, name, role)
            return service.roster()

        def done(roster: list[MemberDetail]) -> None:
            self._show(roster)
            self._say(said.format(role=role_label(role), name=name))
            self.changed.emit()

        self._change(work, done)

    def _change(
        self,
        work: Callable[[ApprovalService, Progress], list[MemberDetail]],
        done: Callable[[list[MemberDetail]], None],
    ) -> None:
        self.outcome.setText("")
        self.start(
            lambda success, failure: self.context.write(
                self, work, on_success=success, on_failure=failure
            ),
            on_success=done,
        )

    def _say(self, text: str) -> None:
        self.outcome.setStyleSheet(f"color: {_OK};")
        self.outcome.setText(text)


def _member_item(detail: MemberDetail) -> QTreeWidgetItem:
    member = detail.member
    title = member.name + (" (you)" if member.is_me else "")
    notes = []
    if detail.is_root:
        notes.append("root of trust")
    if not detail.key_here:
        notes.append("key kept elsewhere")
    roles = ", ".join(role_label(r) for r in member.roles) or "no role"
    item = QTreeWidgetItem([title, short_address(member.address), roles, "", "; ".join(notes)])
    item.setData(0, _ADDRESS, member.address)
    item.setData(0, _NAME, member.name)
    item.setToolTip(1, f"{member.address} (Ctrl+C copies it)")
    font = item.font(0)
    font.setBold(True)
    item.setFont(0, font)
    for grant in detail.grants:
        by = grant.granted_by_name or short_address(grant.granted_by)
        if grant.granted_by == member.address:
            by = "self-signed"
        check = "✔ verified" if grant.counts else f"✘ {grant.why_not}"
        child = QTreeWidgetItem(
            [
                f"{role_label(grant.role)} grant",
                "",
                role_label(grant.role),
                f"{by}, {grant.granted_at:%Y-%m-%d %H:%M} UTC",
                check,
            ]
        )
        child.setToolTip(3, grant.granted_by)
        child.setToolTip(4, check)
        child.setForeground(4, Qt.GlobalColor.darkGreen if grant.counts else Qt.GlobalColor.red)
        item.addChild(child)
    return item
