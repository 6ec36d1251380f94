"""Settings › Providers: an API key per provider and explorer account (Etherscan,
TronGrid), where each is reached, and a "Test connection" button per provider and
per explorer (the summary of a well-known address).

Keys are saved at once when "Save key" is pressed (into the OS keychain, or
sealed in the vault: `app.screening.secrets`), never into the settings file,
and never shown back: the page says where a key is and its last four
characters. Base URLs are plain settings, saved with the dialog. The test
reads the stored key on the database worker (unless one is typed) and calls
the provider on the network pool. GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.book.models import ValidationError
from app.screening import endpoints
from app.screening.endpoints import ConnectionCheck
from app.screening.providers import PROVIDERS, ProviderInfo, default_config
from app.screening.secrets import ApiKey, delete_key, get_key, set_key
from app.screening.service import explorers_for
from app.settings import Settings
from app.tasks import Progress
from integrations.explorers import Explorers, ExplorerSettings
from ui import errors
from ui.naming import named
from ui.ops import run_db, run_network
from ui.screening.context import ScreeningContext
from vault.store import Vault

#: explorer accounts whose key can be entered here: widget name -> (chain whose
#: ChainSettings.key_id names the key, label). Blockscout takes a key too, but no
#: chain is served by its REST API unless a desk's settings say so.
EXPLORER_KEYS = {
    "etherscan": ("ethereum", "Etherscan (API V2, every EVM chain)"),
    "trongrid": ("tron", "TronGrid (Tron)"),
}
OK_STYLE = "color: #1b5e20;"
BAD_STYLE = "color: #b71c1c;"


def key_state(vault: Vault, name: str) -> str:
    """Where a provider's key is, with its last four characters; never the key.
    Database worker."""
    found = get_key(vault, name)
    if found is None:
        return "No key stored"
    where = "the OS keychain" if found.where == "keychain" else "the vault (sealed)"
    tail = found.key[-4:] if len(found.key) >= 12 else ""
    return f"Key stored in {where}" + (f" (…{tail})" if tail else "")


@dataclass
class Row:
    """One provider's widgets."""

    name: str
    key: QLineEdit
    secret: QLineEdit | None
    url: QLineEdit | None
    state: QLabel
    result: QLabel
    test: QPushButton | None


class ProvidersPage(QWidget):
    title = "Providers"

    def __init__(
        self, context: ScreeningContext, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("providersPage")
        self.context = context
        self.rows: dict[str, Row] = {}
        body = QWidget()
        column = QVBoxLayout(body)
        note = QLabel(
            "The offline sanctions list needs no key. Keys are kept in the OS keychain "
            "(or sealed in the vault when there is none), never in a file, and are not "
            "shown again once saved. Leave an address empty to use the documented one."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        column.addWidget(note)
        for info in PROVIDERS.values():
            column.addWidget(self._provider_box(info, settings))
        column.addWidget(self._explorer_box(settings))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.load_states()

    # --- building ------------------------------------------------------------------

    def _provider_box(self, info: ProviderInfo, settings: Settings) -> QGroupBox:
        box = named(QGroupBox(info.label), f"provider_{info.name}")
        grid = QGridLayout(box)
        key = self._secret_field(f"key_{info.name}", "Paste the API key")
        secret = None
        if info.needs_secret:
            secret = self._secret_field(f"secret_{info.name}", "Paste the API secret")
        url = named(QLineEdit(settings.provider_urls.get(info.name, "")), f"url_{info.name}")
        url.setPlaceholderText(default_config(info.name).base_url)
        state = named(QLabel("…"), f"state_{info.name}")
        state.setStyleSheet("color: #555;")
        result = named(QLabel(), f"result_{info.name}")
        result.setWordWrap(True)
        save = named(QPushButton("Save key"), f"save_{info.name}")
        remove = named(QPushButton("Remove key"), f"remove_{info.name}")
        test = named(QPushButton("Test connection"), f"test_{info.name}")
        test.setToolTip("One cheap documented call with the key typed here, or the stored one")
        row = Row(info.name, key, secret, url, state, result, test)
        self.rows[info.name] = row
        save.clicked.connect(lambda: self.save_key(info.name))
        remove.clicked.connect(lambda: self.remove_key(info.name))
        test.clicked.connect(lambda: self.test(info.name))
        grid.addWidget(QLabel("API key:"), 0, 0)
        grid.addWidget(key, 0, 1)
        grid.addWidget(save, 0, 2)
        grid.addWidget(remove, 0, 3)
        line = 1
        if secret is not None:
            grid.addWidget(QLabel("API secret:"), 1, 0)
            grid.addWidget(secret, 1, 1)
            line = 2
        grid.addWidget(state, line, 1, 1, 3)
        grid.addWidget(QLabel("Address:"), line + 1, 0)
        grid.addWidget(url, line + 1, 1)
        grid.addWidget(test, line + 1, 2, 1, 2)
        grid.addWidget(result, line + 2, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        return box

    def _explorer_box(self, settings: Settings) -> QGroupBox:
        box = named(QGroupBox("Block explorers and nodes"), "explorersBox")
        form = QFormLayout(box)
        chosen = endpoints.explorer_settings(settings.explorer_urls)
        for alias, (chain_name, label) in EXPLORER_KEYS.items():
            name = chosen.for_chain(chain_name).key_id
            key = self._secret_field(f"key_{alias}", "Paste the API key")
            state = named(QLabel("…"), f"state_{alias}")
            state.setStyleSheet("color: #555;")
            save = named(QPushButton("Save key"), f"save_{alias}")
            remove = named(QPushButton("Remove key"), f"remove_{alias}")
            save.clicked.connect(lambda _c=False, n=name: self.save_key(n))
            remove.clicked.connect(lambda _c=False, n=name: self.remove_key(n))
            line = QHBoxLayout()
            line.addWidget(key, 1)
            line.addWidget(save)
            line.addWidget(remove)
            form.addRow(f"{label}:", line)
            form.addRow("", state)
            self.rows[name] = Row(name, key, None, None, state, QLabel(), None)
        self.explorer_urls: dict[str, QLineEdit] = {}
        self.explorer_results: dict[str, QLabel] = {}
        for chain in ExplorerSettings().chains:
            field = named(
                QLineEdit(settings.explorer_urls.get(chain.chain, "")), f"explorer_{chain.chain}"
            )
            field.setPlaceholderText(chain.base_url)
            field.setToolTip(f"{chain.provider.value}: your own instance or node may go here")
            self.explorer_urls[chain.chain] = field
            test = named(QPushButton("Test connection"), f"test_explorer_{chain.chain}")
            test.setToolTip("Fetch the summary of a well-known address from this explorer")
            test.clicked.connect(lambda _c=False, c=chain.chain: self.test_explorer(c))
            result = named(QLabel(), f"result_explorer_{chain.chain}")
            result.setWordWrap(True)
            self.explorer_results[chain.chain] = result
            line = QHBoxLayout()
            line.addWidget(field, 1)
            line.addWidget(test)
            form.addRow(f"{chain.chain}:", line)
            form.addRow("", result)
        return box

    @staticmethod
    def _secret_field(name: str, placeholder: str) -> QLineEdit:
        field = named(QLineEdit(), name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(placeholder)
        return field

    # --- keys ------------------------------------------------------------------------

    def _vault_work(
        self,
        work: Callable[[Vault], object],
        on_success: Callable[[object], None],
        row: Row,
    ) -> None:
        session = self.context.session
        run_db(
            self.context.services.runner,
            self,
            lambda _p: work(session.vault),
            on_success=on_success,
            on_failure=lambda error: self._failed(row, error),
        )

    def load_states(self) -> None:
        names = list(self.rows)

        def work(vault: Vault) -> object:
            return {n: key_state(vault, n) for n in names}

        def show(states: object) -> None:
            assert isinstance(states, dict)
            for name, text in states.items():
                self.rows[name].state.setText(text)

        if names:
            self._vault_work(work, show, self.rows[names[0]])

    def save_key(self, name: str) -> None:
        row = self.rows[name]
        key = row.key.text().strip()
        secret = row.secret.text().strip() if row.secret is not None else None
        if not key:
            self._say(row, False, "Paste the key first.")
            return
        if row.secret is not None and not secret:
            self._say(row, False, "This provider also needs its API secret.")
            return

        def work(vault: Vault) -> object:
            return set_key(vault, name, key, secret or None)

        def saved(where: object) -> None:
            row.key.clear()
            if row.secret is not None:
                row.secret.clear()
            place = "the OS keychain" if where == "keychain" else "the vault (sealed)"
            self._say(row, True, f"Saved in {place}.")
            self.context.reset_providers()
            self.context.drain()  # look-ups that waited for a working key may run now
            self.load_states()

        self._vault_work(work, saved, row)

    def remove_key(self, name: str) -> None:
        row = self.rows[name]

        def removed(had: object) -> None:
            self._say(row, True, "Removed." if had else "There was no key to remove.")
            self.context.reset_providers()
            self.load_states()

        self._vault_work(lambda vault: delete_key(vault, name), removed, row)

    # --- testing -----------------------------------------------------------------

    def test(self, name: str) -> None:
        row = self.rows[name]
        try:
            url = endpoints.check_url(row.url.text()) if row.url is not None else ""
        except ValidationError as exc:
            self._say(row, False, exc.reason)
            return
        typed = row.key.text().strip()
        secret = row.secret.text().strip() if row.secret is not None else ""
        if row.test is not None:
            row.test.setEnabled(False)
        self._say(row, True, "Testing…", neutral=True)
        if typed:
            self._check(row, ApiKey(typed, secret or None), url)
            return
        self._vault_work(
            lambda vault: get_key(vault, name),
            lambda key: self._check(row, key if isinstance(key, ApiKey) else None, url),
            row,
        )

    def _check(self, row: Row, key: ApiKey | None, url: str) -> None:
        name = row.name

        def work(_progress: Progress) -> ConnectionCheck:
            return endpoints.check_provider(name, key, url or None)

        run_network(
            self.context.services.runner,
            self,
            work,
            on_success=lambda found: self._tested(row, found),
            on_failure=lambda error: self._failed(row, error),
        )

    def test_explorer(self, chain: str) -> None:
        """The summary of a well-known address from the explorer at the address typed
        (or set, or documented), with the stored key: keys read on the database
        worker, the call on the network pool."""
        result = self.explorer_results[chain]
        try:
            url = endpoints.check_url(self.explorer_urls[chain].text())
        except ValidationError as exc:
            self._show(result, False, exc.reason)
            return
        self._show(result, True, "Testing…", neutral=True)
        session, runner = self.context.session, self.context.services.runner
        urls = {k: v for k, v in self.context.holder.explorer_urls().items() if k != chain}
        if url:
            urls[chain] = url

        def failed(error: BaseException) -> None:
            errors.log(error, debug=self.context.services.debug)
            self._show(result, False, errors.describe(error))

        def check(explorers: Explorers) -> None:
            run_network(
                runner,
                self,
                lambda _p: endpoints.check_explorer(explorers, chain),
                on_success=lambda found: self._show(
                    result, found.ok, ("✓ " if found.ok else "✗ ") + found.text
                ),
                on_failure=failed,
            )

        run_db(
            runner,
            self,
            lambda _p: explorers_for(session.vault, endpoints.explorer_settings(urls)),
            on_success=check,
            on_failure=failed,
        )

    def _tested(self, row: Row, found: ConnectionCheck) -> None:
        if row.test is not None:
            row.test.setEnabled(True)
        self._say(row, found.ok, ("✓ " if found.ok else "✗ ") + found.text)

    def _failed(self, row: Row, error: BaseException) -> None:
        if row.test is not None:
            row.test.setEnabled(True)
        errors.log(error, debug=self.context.services.debug)
        self._say(row, False, errors.describe(error))

    @classmethod
    def _say(cls, row: Row, ok: bool, text: str, *, neutral: bool = False) -> None:
        cls._show(row.result if row.test is not None else row.state, ok, text, neutral=neutral)

    @staticmethod
    def _show(target: QLabel, ok: bool, text: str, *, neutral: bool = False) -> None:
        target.setStyleSheet("color: #555;" if neutral else OK_STYLE if ok else BAD_STYLE)
        target.setText(text)

    # --- settings ----------------------------------------------------------------

    def apply(self, settings: Settings) -> Settings:
        """The base URLs typed here; raises ValidationError for one that is not a URL."""
        providers = {
            name: endpoints.check_url(row.url.text())
            for name, row in self.rows.items()
            if row.url is not None
        }
        explorers = {c: endpoints.check_url(f.text()) for c, f in self.explorer_urls.items()}
        return settings.with_changes(
            provider_urls={k: v for k, v in providers.items() if v},
            explorer_urls={k: v for k, v in explorers.items() if v},
        )
