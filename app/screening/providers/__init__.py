"""Online risk providers by name: what each needs, and how to build one.

    provider = make_provider("elliptic", key=key, secret=secret)
    result = provider.screen("ethereum", "0x8589…")   # a RiskResult, never raises

Each provider wraps one `integrations.kyt` client and maps its answers onto
`app.screening.risk.RiskResult` (the mapping tables are in each module's
docstring). Keys come from the caller (the keychain, later) and are never
kept anywhere but the client. `screen` blocks on the network: call it from
the network pool. Close a provider (`close()`) when its key changes or the
vault locks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.screening.providers import chainalysis, elliptic, trm
from app.screening.providers.base import (
    KytRiskProvider,
    ProviderInfo,
    RiskProvider,
    Unavailable,
    Verdict,
    status_of,
)
from app.screening.risk import Status
from integrations.http import IntegrationError, ProviderConfig
from integrations.http.clock import Clock
from integrations.kyt.chainalysis import (
    EntityRisk,
    SanctionsAnswer,
    SanctionsClient,
    ScreeningClient,
)
from integrations.kyt.chainalysis import sanctions as sanctions_api
from integrations.kyt.chainalysis import screening as screening_api
from integrations.kyt.elliptic import EllipticClient, WalletAnalysis
from integrations.kyt.elliptic import client as elliptic_api
from integrations.kyt.trm import ScreenedAddress, TrmClient
from integrations.kyt.trm import client as trm_api

__all__ = [
    "PROVIDERS",
    "KytRiskProvider",
    "ProviderInfo",
    "RiskProvider",
    "Unavailable",
    "Verdict",
    "build_provider",
    "default_config",
    "make_provider",
    "status_of",
]

PROVIDERS: dict[str, ProviderInfo] = {
    info.name: info
    for info in (chainalysis.SANCTIONS, chainalysis.SCREENING, elliptic.INFO, trm.INFO)
}


def make_provider(
    name: str,
    *,
    key: str,
    secret: str | None = None,
    base_url: str | None = None,
    clock: Clock | None = None,
    rate_per_second: float | None = None,
) -> RiskProvider:
    """The provider `name` (a key of PROVIDERS) with this key.

    `base_url` replaces the documented one (a proxy, a test server);
    `rate_per_second` the default rate (a plan with a higher limit). A
    missing key or secret gives a provider that answers NOT_CONFIGURED, an
    unusable secret one that answers AUTH: a Settings problem, shown like any
    other result. An unknown name is a programming error (ValueError).
    """
    config = default_config(name)
    config = replace(config, base_url=base_url or config.base_url)
    if rate_per_second is not None:
        config = replace(config, rate_per_second=rate_per_second)
    return build_provider(name, key=key, secret=secret, config=config, clock=clock)


def default_config(name: str) -> ProviderConfig:
    """The documented endpoint, rate and timeouts of provider `name`."""
    _info(name)
    return _BUILDERS[name][1]


def build_provider(
    name: str,
    *,
    key: str,
    secret: str | None = None,
    config: ProviderConfig,
    clock: Clock | None = None,
) -> RiskProvider:
    """`make_provider` with every HTTP setting given (timeouts, retries, breaker)."""
    info = _info(name)
    missing = [
        what
        for what, needed, given in (
            ("API key", info.needs_key, key),
            ("secret", info.needs_secret, secret),
        )
        if needed and not (given or "").strip()
    ]
    if missing:
        return Unavailable(
            info,
            status=Status.NOT_CONFIGURED,
            error=f"{info.label} has no {' or '.join(missing)}: enter it in Settings › Providers",
        )
    build = _BUILDERS[name][0]
    try:
        return build(key=key.strip(), secret=(secret or "").strip(), config=config, clock=clock)
    except IntegrationError as error:
        return Unavailable(info, status=status_of(error), error=str(error))


def _info(name: str) -> ProviderInfo:
    info = PROVIDERS.get(name)
    if info is None:
        raise ValueError(f"no provider called {name!r}; known: {', '.join(PROVIDERS)}")
    return info


Builder = Callable[..., RiskProvider]


def _sanctions(
    *, key: str, secret: str, config: ProviderConfig, clock: Clock | None
) -> KytRiskProvider[SanctionsAnswer]:
    client = SanctionsClient(key=key, config=config, clock=clock)
    return KytRiskProvider(
        client, info=chainalysis.SANCTIONS, judge=chainalysis.judge_sanctions, secrets=(key,)
    )


def _screening(
    *, key: str, secret: str, config: ProviderConfig, clock: Clock | None
) -> KytRiskProvider[EntityRisk]:
    client = ScreeningClient(key=key, config=config, clock=clock)
    return KytRiskProvider(
        client, info=chainalysis.SCREENING, judge=chainalysis.judge_entity, secrets=(key,)
    )


def _elliptic(
    *, key: str, secret: str, config: ProviderConfig, clock: Clock | None
) -> KytRiskProvider[WalletAnalysis]:
    client = EllipticClient(key=key, secret=secret, config=config, clock=clock)
    return KytRiskProvider(
        client, info=elliptic.INFO, judge=elliptic.judge_wallet, secrets=(key, secret)
    )


def _trm(
    *, key: str, secret: str, config: ProviderConfig, clock: Clock | None
) -> KytRiskProvider[ScreenedAddress]:
    client = TrmClient(key=key, config=config, clock=clock)
    return KytRiskProvider(client, info=trm.INFO, judge=trm.judge_screening, secrets=(key,))


_BUILDERS: dict[str, tuple[Builder, ProviderConfig]] = {
    chainalysis.SANCTIONS.name: (_sanctions, sanctions_api.CONFIG),
    chainalysis.SCREENING.name: (_screening, screening_api.CONFIG),
    elliptic.INFO.name: (_elliptic, elliptic_api.CONFIG),
    trm.INFO.name: (_trm, trm_api.CONFIG),
}
