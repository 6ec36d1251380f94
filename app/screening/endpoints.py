"""Where the providers and explorers are reached, as the desk set it in Settings, and
the "Test connection" check.

Base URLs are plain settings (`app.settings.Settings.provider_urls`,
`explorer_urls`); keys never are (`app.screening.secrets`). `check_provider`
blocks on the network: run it on the network pool, with the key read on the
database worker first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from app.book.models import ValidationError
from app.screening.outbox import RiskProvider
from app.screening.overview import amount_text
from app.screening.providers import PROVIDERS, make_provider
from app.screening.secrets import ApiKey
from app.screening.service import ProviderFactory, make_network_provider
from integrations.explorers import Explorers, ExplorerSettings
from integrations.http import IntegrationError


def check_url(text: str) -> str:
    """A base URL as typed, checked: http(s) with a host; '' means "the documented one"."""
    url = text.strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    # A key in the URL would sit in the plain settings file: checked first, and the
    # address is never echoed back in the message.
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValidationError(
            "base_url",
            "put no user name, key or ?query in the address: keys go in the key field",
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("base_url", "this is not an http(s) address with a host")
    return url


def provider_factory(urls: Mapping[str, str]) -> ProviderFactory:
    """Builds KYT providers at the base URLs set for them (the documented ones otherwise)."""
    chosen = dict(urls)

    def build(name: str, key: ApiKey | None) -> RiskProvider:
        return make_network_provider(name, key, base_url=chosen.get(name) or None)

    return build


def explorer_settings(urls: Mapping[str, str]) -> ExplorerSettings:
    """The default explorers, with each chain whose base URL was set pointed there."""
    settings = ExplorerSettings()
    for chain in settings.chains:
        url = urls.get(chain.chain)
        if url:
            settings = settings.with_chain(replace(chain, base_url=url))
    return settings


@dataclass(frozen=True)
class ConnectionCheck:
    """What "Test connection" found, in words for the user."""

    ok: bool
    text: str


def check_provider(name: str, key: ApiKey | None, base_url: str | None = None) -> ConnectionCheck:
    """One cheap documented call with this key. Network pool; never raises for the
    provider's fault, and the text never holds the key."""
    info = PROVIDERS.get(name)
    if info is None:
        return ConnectionCheck(False, f"No provider called '{name[:40]}'.")
    if key is None:
        return ConnectionCheck(False, f"No key is stored for {info.label}: enter one first.")
    provider = make_provider(name, key=key.key, secret=key.secret, base_url=base_url or None)
    try:
        said = provider.test_connection()
    finally:
        close = getattr(provider, "close", None)
        if callable(close):
            close()
    if isinstance(said, str):
        return ConnectionCheck(True, said)
    return ConnectionCheck(False, f"{said.status}: {said.error or 'no details'}")


#: an address every explorer of the chain knows, asked by "Test connection": burn or
#: genesis addresses, which hold coins and transactions on every network
WELL_KNOWN = {
    "bitcoin": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # the genesis block's coinbase
    "tron": "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb",  # the "black hole" burn address
}
#: the EVM chains: the zero address, which every chain's burns send to
EVM_WELL_KNOWN = "0x0000000000000000000000000000000000000000"


def check_explorer(explorers: Explorers, chain: str) -> ConnectionCheck:
    """The summary of a well-known address from the chain's explorer. Network pool;
    closes `explorers`; never raises for the explorer's fault, never shows a key."""
    address = WELL_KNOWN.get(chain, EVM_WELL_KNOWN)
    try:
        summary = explorers.for_chain(chain).summary(address)
    except KeyError:
        return ConnectionCheck(False, f"No explorer is set up for {chain}.")
    except IntegrationError as exc:
        return ConnectionCheck(False, str(exc))
    finally:
        explorers.close()
    native = summary.native
    count = "" if summary.tx_count is None else f", {summary.tx_count:,} transactions"
    return ConnectionCheck(
        True,
        f"{summary.source} answered: {address[:10]}… holds "
        f"{amount_text(native.amount, native.asset.decimals)} {native.asset.symbol}{count}.",
    )
