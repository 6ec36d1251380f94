"""Creating a desk, inviting a member, joining a desk: one step each on the database
worker (`WorkerDialog`). Target credentials go to the OS keychain or sealed into the
vault (`app.screening.secrets.set_key`, read back by `app.sync.credentials`), never
into a file. The invitation's one-time code is shown large, selectable and with a
Copy button (the clipboard is cleared on lock). GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from app.approvals.model import ROLES
from app.screening.secrets import set_key
from app.sync.credentials import S3_KEY, WEBDAV_KEY
from app.sync.desk import DeskInfo, create_desk
from app.sync.inviting import Invited, invite
from app.sync.join import Joined, join
from app.tasks import Progress
from ui.book import format as fmt
from ui.book.widgets import browse_row
from ui.naming import named
from ui.services import Services
from ui.worker_dialog import WorkerDialog
from vault.store import Vault


def _path_row(edit: QLineEdit, choose: Callable[[], str], label: str) -> QWidget:
    """A path field whose "Choose…" button fills it."""

    def chosen() -> None:
        path = choose()
        if path:
            edit.setText(path)

    return browse_row(edit, label, chosen)


class CreateDeskDialog(WorkerDialog):
    """A new desk with this vault as its first device, writing to one target."""

    KINDS = ("folder", "webdav", "s3")

    def __init__(self, services: Services, vault_of: Callable[[], Vault], parent: QWidget) -> None:
        super().__init__(services, parent)
        self.setObjectName("createDeskDialog")
        self.setWindowTitle(self.tr("Create a desk"))
        self._vault_of = vault_of
        self.info: DeskInfo | None = None
        intro = QLabel(
            self.tr(
                "A desk shares this vault's customers, wallets, screenings and approvals "
                "with the desk's other devices, end-to-end encrypted, through storage the "
                "desk already runs. The storage sees only ciphertext."
            )
        )
        intro.setWordWrap(True)
        self.name = named(QLineEdit(self.tr("Desk")), "deskName")
        self.kind = named(QComboBox(), "targetKind")
        for key, text in zip(
            self.KINDS,
            (
                self.tr("Folder (shared drive, Syncthing, USB stick)"),
                self.tr("WebDAV (Nextcloud, a NAS, Apache/nginx)"),
                self.tr("S3-compatible storage (MinIO, Ceph, AWS S3)"),
            ),
            strict=True,
        ):
            self.kind.addItem(text, key)
        self.folder = named(QLineEdit(), "targetFolder")
        self.webdav_url = named(QLineEdit(), "webdavUrl")
        self.webdav_url.setPlaceholderText("https://user@nas.example/strongroom/")
        self.webdav_password = named(QLineEdit(), "webdavPassword")
        self.webdav_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.bucket = named(QLineEdit(), "s3Bucket")
        self.bucket.setPlaceholderText(self.tr("bucket or bucket/prefix"))
        self.endpoint = named(QLineEdit(), "s3Endpoint")
        self.endpoint.setPlaceholderText(self.tr("empty for AWS; https://minio.example:9000"))
        self.access_key = named(QLineEdit(), "s3AccessKey")
        self.secret_key = named(QLineEdit(), "s3SecretKey")
        self.secret_key.setEchoMode(QLineEdit.EchoMode.Password)

        folder_page = QWidget()
        form = QFormLayout(folder_page)
        form.addRow(
            self.tr("Folder:"),
            _path_row(
                self.folder,
                lambda: QFileDialog.getExistingDirectory(self, self.tr("The desk's folder")),
                self.tr("Choose…"),
            ),
        )
        dav_page = QWidget()
        form = QFormLayout(dav_page)
        form.addRow(self.tr("URL (user in it):"), self.webdav_url)
        form.addRow(self.tr("Password:"), self.webdav_password)
        s3_page = QWidget()
        form = QFormLayout(s3_page)
        form.addRow(self.tr("Bucket:"), self.bucket)
        form.addRow(self.tr("Endpoint:"), self.endpoint)
        form.addRow(self.tr("Access key:"), self.access_key)
        form.addRow(self.tr("Secret key:"), self.secret_key)
        self.pages = QStackedWidget()
        for page in (folder_page, dav_page, s3_page):
            self.pages.addWidget(page)
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        where = QLabel(
            self.tr(
                "Passwords and keys go to the OS keychain, or sealed into the vault when "
                "there is none; never into a file. S3 keys left empty come from the "
                "standard AWS settings."
            )
        )
        where.setWordWrap(True)
        where.setStyleSheet("color: #555;")
        top = QFormLayout()
        top.addRow(self.tr("Desk name:"), self.name)
        top.addRow(self.tr("Storage:"), self.kind)
        self.body.addWidget(intro)
        self.body.addLayout(top)
        self.body.addWidget(self.pages)
        self.body.addWidget(where)
        self.set_ok_text(self.tr("Create desk"))
        for edit in (self.name, self.folder, self.webdav_url, self.bucket):
            edit.textChanged.connect(self.update_ok)
        self.kind.currentIndexChanged.connect(self.update_ok)
        self.update_ok()

    def target(self) -> tuple[str, str | None]:
        """The target as `desk create --target` takes it, and the S3 endpoint."""
        kind = self.kind.currentData()
        if kind == "folder":
            return f"folder:{self.folder.text().strip()}", None
        if kind == "webdav":
            return f"webdav:{self.webdav_url.text().strip()}", None
        return f"s3:{self.bucket.text().strip()}", self.endpoint.text().strip() or None

    def can_submit(self) -> bool:
        field = {"folder": self.folder, "webdav": self.webdav_url, "s3": self.bucket}
        return bool(self.name.text().strip() and field[self.kind.currentData()].text().strip())

    def submit(self) -> None:
        target, endpoint = self.target()
        name = self.name.text().strip()
        kind = self.kind.currentData()
        password = self.webdav_password.text()
        access, secret = self.access_key.text().strip(), self.secret_key.text()
        vault_of = self._vault_of

        def work(_progress: Progress) -> DeskInfo:
            vault = vault_of()
            if kind == "webdav" and password:
                set_key(vault, WEBDAV_KEY, password)
            if kind == "s3" and access and secret:
                set_key(vault, S3_KEY, access, secret)
            return create_desk(vault, target=target, endpoint=endpoint, name=name)

        self.run(work, on_success=self._created)

    def _created(self, info: DeskInfo) -> None:
        self.info = info
        self.accept()


class InviteDialog(WorkerDialog):
    """An invitation file for a new member, and its one-time code, shown once."""

    def __init__(self, services: Services, vault_of: Callable[[], Vault], parent: QWidget) -> None:
        super().__init__(services, parent)
        self.setObjectName("inviteDialog")
        self.setWindowTitle(self.tr("Invite a member"))
        self._vault_of = vault_of
        self.invited: Invited | None = None
        self.member = named(QLineEdit(), "inviteMember")
        self.roles: dict[str, QCheckBox] = {}
        roles = QWidget()
        row = QHBoxLayout(roles)
        row.setContentsMargins(0, 0, 0, 0)
        for role in ROLES:
            box = named(QCheckBox(role.replace("_", " ")), f"role_{role}")
            box.toggled.connect(self.update_ok)
            self.roles[role] = box
            row.addWidget(box)
        row.addStretch(1)
        self.file = named(QLineEdit(), "inviteFile")
        form = QFormLayout()
        form.addRow(self.tr("Member's name:"), self.member)
        form.addRow(self.tr("Roles:"), roles)
        form.addRow(
            self.tr("Invitation file:"),
            _path_row(
                self.file,
                lambda: QFileDialog.getSaveFileName(
                    self, self.tr("Save the invitation"), "invitation.strongroom-invite"
                )[0],
                self.tr("Choose…"),
            ),
        )
        self.form = QWidget()
        self.form.setLayout(form)
        self.code = named(QLabel(), "inviteCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(22)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setMargin(12)  # counted in the size hint, unlike a style sheet's padding
        self.code.setMinimumHeight(self.code.fontMetrics().height() + 2 * 12 + 4)
        self.code.setStyleSheet("border: 1px solid #bbb; background: #fafafa;")
        self.copy_button = named(QPushButton(self.tr("Copy the code")), "copyCode")
        self.copy_button.clicked.connect(self._copy)
        self.code_note = named(QLabel(), "inviteCodeNote")
        self.code_note.setWordWrap(True)
        self.shown = QWidget()
        shown = QFormLayout(self.shown)
        shown.addRow(self.code)
        shown.addRow(self.copy_button)
        shown.addRow(self.code_note)
        self.shown.hide()
        self.body.addWidget(self.form)
        self.body.addWidget(self.shown)
        self.set_ok_text(self.tr("Write invitation"))
        for edit in (self.member, self.file):
            edit.textChanged.connect(self.update_ok)
        self.update_ok()

    def chosen_roles(self) -> tuple[str, ...]:
        return tuple(role for role, box in self.roles.items() if box.isChecked())

    def can_submit(self) -> bool:
        if self.invited is not None:
            return True  # the button closes the dialog now
        return bool(self.member.text().strip() and self.file.text().strip() and self.chosen_roles())

    def submit(self) -> None:
        if self.invited is not None:
            self.accept()
            return
        member, roles = self.member.text().strip(), self.chosen_roles()
        to = Path(self.file.text().strip()).expanduser()
        vault_of = self._vault_of
        self.run(
            lambda _p: invite(vault_of(), member=member, roles=roles, to=to, now=datetime.now(UTC)),
            on_success=self._written,
        )

    def _written(self, invited: Invited) -> None:
        self.invited = invited
        self.form.setEnabled(False)
        self.code.setText(invited.code)
        self.code_note.setText(
            self.tr(
                "Give {file} to the new member, and read this code out or send it another "
                "way (never with the file). It works once, until {when}."
            ).format(file=invited.file.name, when=fmt.local(invited.expires_at.isoformat()))
        )
        self.shown.show()
        self.adjustSize()
        self.set_ok_text(self.tr("Done"))
        self.buttons.button(self.buttons.StandardButton.Cancel).hide()
        self.update_ok()

    def _copy(self) -> None:
        if self.invited is not None:
            self.services.clipboard.copy(self.invited.code)
            self.copy_button.setText(self.tr("Copied"))


class JoinDialog(WorkerDialog):
    """This vault joins a desk with an invitation file and its one-time code."""

    def __init__(self, services: Services, vault_of: Callable[[], Vault], parent: QWidget) -> None:
        super().__init__(services, parent)
        self.setObjectName("joinDialog")
        self.setWindowTitle(self.tr("Join a desk"))
        self._vault_of = vault_of
        self.joined: Joined | None = None
        intro = QLabel(
            self.tr(
                "An admin of the desk gives you an invitation file and, separately, a "
                "one-time code. This vault's own book is merged into the desk's."
            )
        )
        intro.setWordWrap(True)
        self.file = named(QLineEdit(), "joinFile")
        self.code = named(QLineEdit(), "joinCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        self.code.setFont(font)
        form = QFormLayout()
        form.addRow(
            self.tr("Invitation file:"),
            _path_row(
                self.file,
                lambda: QFileDialog.getOpenFileName(self, self.tr("The invitation"))[0],
                self.tr("Choose…"),
            ),
        )
        form.addRow(self.tr("Code:"), self.code)
        self.body.addWidget(intro)
        self.body.addLayout(form)
        self.set_ok_text(self.tr("Join"))
        for edit in (self.file, self.code):
            edit.textChanged.connect(self.update_ok)
        self.update_ok()

    def can_submit(self) -> bool:
        return bool(self.file.text().strip() and self.code.text().strip())

    def submit(self) -> None:
        file = Path(self.file.text().strip()).expanduser()
        code = self.code.text().strip()
        vault_of = self._vault_of
        self.run(
            lambda _p: join(vault_of(), file=file, code=code, now=datetime.now(UTC)),
            on_success=self._joined,
        )

    def _joined(self, joined: Joined) -> None:
        self.joined = joined
        self.accept()
