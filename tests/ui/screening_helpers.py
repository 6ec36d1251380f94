"""Setting up screening data for GUI tests: real imports, keys and look-ups on the
database worker of the window under test, and a local provider on pytest-httpserver
answering as the Chainalysis Sanctions API documents (chainalysis.md §1)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.screening.sanctions import import_sanctions
from app.screening.secrets import set_key
from app.screening.service import Screening
from app.session import VaultSession
from tests.app.test_screening_support import sanctions_handler
from tests.integrations.test_sanctions_xml import ETH_A, ETH_B, sample_xml
from tests.ui.book_helpers import on_worker
from ui.main_window import MainWindow
from ui.services import Services
from ui.workspace import Workspace

KYT = "chainalysis-sanctions"
KEY = "test-key"
#: on the sample SDN list (EXAMPLE EXCHANGE, S.R.O. and John DOE)
LISTED = (ETH_A, ETH_B)
#: EIP-55 test vectors, on no list
CLEAN = ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")


def write_sample_xml(folder: Path) -> Path:
    path = folder / "SDN_ADVANCED.XML"
    path.write_text(sample_xml(), encoding="utf-8")
    return path


def import_list(session: VaultSession, services: Services, path: Path) -> dict[str, int]:
    return on_worker(services, lambda: import_sanctions(session.vault, path))


def screen_offline(session: VaultSession, services: Services, pairs: list[tuple[str, str]]) -> None:
    on_worker(services, lambda: Screening(session.vault).lookup(pairs))


def store_key(session: VaultSession, services: Services, key: str = KEY) -> None:
    on_worker(services, lambda: set_key(session.vault, KYT, key))


def workspace(window: MainWindow) -> Workspace:
    assert window.workspace is not None
    return window.workspace


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def slow_handler(delay: float):  # type: ignore[no-untyped-def]
    """The documented handler, answering after `delay` seconds (a batch worth cancelling)."""

    def handle(request: Request) -> Response:
        time.sleep(delay)
        return sanctions_handler(request)

    return handle


#: the documented request path (chainalysis.md §1)
ADDRESS_PATH = re.compile(r"^/api/v1/address/[^/]+$")


def serve_kyt(
    services: Services,
    server: HTTPServer,
    handler: Callable[[Request], Response] = sanctions_handler,
    *,
    default: bool = True,
) -> None:
    """The Chainalysis Sanctions API on `server`, set as its base URL in the settings
    (and as the provider new look-ups ask, with `default`), before the window opens."""
    server.expect_request(ADDRESS_PATH).respond_with_handler(handler)
    changes: dict[str, object] = {"provider_urls": {KYT: server.url_for("/").rstrip("/")}}
    if default:
        changes["screening_provider"] = KYT
    services.settings = services.settings.with_changes(**changes)


class HeldAnswers:
    """A pytest-httpserver handler that holds answers until the test lets them go.

    A check that must see work still under way (a batch still busy, a drain not yet
    done, a lock that did not wait) holds the provider instead of hoping to run
    before it answers: on a busy machine the hope fails. Requests whose path `keep`
    matches are held; of the others the first `answered` (all with None) are
    answered after `delay` seconds, the rest are held too. `release_held()` lets
    the requests held so far answer; `release()` lets everything through from then
    on. Answering runs `handler`.
    """

    def __init__(
        self,
        handler: Callable[[Request], Response] = sanctions_handler,
        *,
        answered: int | None = 0,
        keep: Callable[[str], bool] = lambda _path: False,
        delay: float = 0.0,
    ) -> None:
        self._handler = handler
        self._answered = answered
        self._keep = keep
        self._delay = delay
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._held: list[tuple[str, threading.Event]] = []

    def __call__(self, request: Request) -> Response:
        gate = self._admit(request.path)
        if gate is None:
            time.sleep(self._delay)
        else:
            gate.wait(60)
        return self._handler(request)

    def _admit(self, path: str) -> threading.Event | None:
        """None: answer now; else the event that lets this request answer."""
        with self._lock:
            if self._open.is_set():
                return None
            if not self._keep(path) and (self._answered is None or self._answered > 0):
                if self._answered is not None:
                    self._answered -= 1
                return None
            gate = threading.Event()
            self._held.append((path, gate))
            return gate

    def holding(self, *parts: str) -> bool:
        """Whether a request is held now (one whose path holds one of `parts`, if given)."""
        with self._lock:
            return any(
                not gate.is_set() and (not parts or any(p in path for p in parts))
                for path, gate in self._held
            )

    def release_held(self) -> None:
        """The requests held so far answer; later ones are held as before."""
        with self._lock:
            for _path, gate in self._held:
                gate.set()

    def release(self) -> None:
        """Everything held answers, and every request from now on."""
        with self._lock:
            self._open.set()
            for _path, gate in self._held:
                gate.set()
