"""Fixtures for provider tests: a fake server on 127.0.0.1, a manual clock, the
documented example bodies (test_explorer_fixtures/), and clients wired to them."""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from integrations.http import HttpClient, ManualClock, ProviderConfig, RetryPolicy

FIXTURES = Path(__file__).parent / "test_explorer_fixtures"

MakeClient = Callable[..., HttpClient]


@pytest.fixture
def documented() -> Callable[[str], Any]:
    """Load an example body copied from ../shared/reference, e.g. "etherscan/balance.json"."""

    def load(name: str) -> Any:
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> Iterator[HTTPServer]:
    yield httpserver_ipv4
    httpserver_ipv4.check_assertions()


@pytest.fixture
def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_client(server: HTTPServer, clock: ManualClock) -> Iterator[MakeClient]:
    """HttpClients on the fake server: no real sleeping, a high rate, short timeouts."""
    made: list[HttpClient] = []

    def make(
        path: str = "", *, name: str = "Test provider", secrets: tuple[str, ...] = (), **config: Any
    ) -> HttpClient:
        base = ProviderConfig(
            name=name,
            base_url=server.url_for(path or "/").rstrip("/"),
            connect_timeout=2.0,
            read_timeout=5.0,
            rate_per_second=1000.0,
            burst=10_000,  # the limiter never waits here, so clock.sleeps are retry waits
            retry=RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0, max_retry_after=60.0),
        )
        client = HttpClient(
            replace(base, **config), secrets=secrets, clock=clock, rng=random.Random(7)
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
