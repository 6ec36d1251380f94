"""The approval policy: YAML text, checked node by node so an error names its line.

`parse(text)` returns a `Policy` or raises `PolicyError(line, column, message)`
(1-based, pointing at the offending value). The shipped default is
resources/approvals/default_policy.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from importlib import resources
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

from app import bounded_yaml
from app.approvals.model import KINDS, ROLES
from app.prices.quotes import DEFAULT_CURRENCY, DEFAULT_MAX_AGE, PriceError, symbol

RISK_LEVELS = ("none", "low", "medium", "high", "severe", "unknown")
MAX_TEXT = 64 * 1024


class PolicyError(bounded_yaml.YamlInputError):
    """A policy that cannot be used, at a 1-based line and column."""

    @property
    def message(self) -> str:
        return self.problem


@dataclass(frozen=True)
class Tier:
    below: Decimal | None  # None: the top tier
    need: Mapping[str, int]  # role -> distinct people


@dataclass(frozen=True)
class KindRules:
    request: frozenset[str]
    decide: frozenset[str]
    reject: int
    tiers: tuple[Tier, ...]

    def tier_for(self, amount: Decimal | None) -> Tier:
        """The first tier whose bound the amount stays under; no amount: the top tier."""
        return self.tier_in(self.tiers, amount)

    @staticmethod
    def tier_in(tiers: Sequence[Tier], amount: Decimal | None) -> Tier:
        if amount is not None:
            for tier in tiers:
                if tier.below is not None and amount < tier.below:
                    return tier
        return tiers[-1]


@dataclass(frozen=True)
class RiskRules:
    blocked: frozenset[str]
    escalate: Mapping[str, Mapping[str, int]]
    max_age_hours: float
    unscreened_needs_refresh: bool


#: the kinds that carry an amount in an asset (the others have none, or one in the
#: reference currency: a whitelist's limit)
PRICED_KINDS: frozenset[str] = frozenset({"withdrawal"})


@dataclass(frozen=True)
class ValuationRules:
    """How amounts become values in the reference currency before the tiers apply."""

    currency: str = DEFAULT_CURRENCY
    max_price_age: timedelta = DEFAULT_MAX_AGE
    #: asset -> tiers counted in the asset's own units, used when no fresh price values
    #: a request in that asset (else the kind's top tier applies)
    unpriced: Mapping[str, tuple[Tier, ...]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    expiry_days: float
    kinds: Mapping[str, KindRules]
    risk: RiskRules
    valuation: ValuationRules = field(default_factory=ValuationRules)


def default_text() -> str:
    return (
        resources.files("resources")
        .joinpath("approvals/default_policy.yaml")
        .read_text(encoding="utf-8")
    )


def default_policy() -> Policy:
    return parse(default_text())


def parse(text: str) -> Policy:
    if len(text) > MAX_TEXT:
        raise PolicyError(1, 1, f"the policy is longer than {MAX_TEXT} characters")
    try:
        root = bounded_yaml.compose(text, limit=MAX_TEXT)
    except bounded_yaml.YamlInputError as exc:
        raise PolicyError(exc.line, exc.column, exc.problem) from None
    if root is None:
        raise PolicyError(1, 1, "the policy is empty")
    top = _mapping(
        root, "the policy", {"version", "roles", "expiry_days", "kinds", "risk", "valuation"}
    )
    version = _require(root, top, "version")
    if _scalar(version) != "1":
        _fail(version, "version must be 1")
    roles_node = _require(root, top, "roles")
    roles = _names(roles_node, "roles")
    for node in _seq(roles_node, "roles"):
        if _scalar(node) not in ROLES:
            _fail(node, f"unknown role '{_scalar(node)}'; roles are {', '.join(ROLES)}")
    expiry = _number(_require(root, top, "expiry_days"), "expiry_days", positive=True)
    kinds_node = _require(root, top, "kinds")
    kinds_map = _mapping(kinds_node, "kinds", set(KINDS))
    kinds: dict[str, KindRules] = {}
    for kind in KINDS:
        if kind not in kinds_map and kind in LATER_KINDS:
            kinds[kind] = _later_kind(kind, roles)
            continue
        if kind not in kinds_map:
            _fail(kinds_node, f"kinds: '{kind}' is missing")
        kinds[kind] = _kind(kinds_map[kind], kind, roles)
    risk_node = _require(root, top, "risk")
    valuation = ValuationRules()
    if "valuation" in top:
        valuation = _valuation(top["valuation"], kinds["withdrawal"].decide)
    return Policy(
        roles=roles,
        expiry_days=float(expiry),
        kinds=kinds,
        risk=_risk(risk_node, roles),
        valuation=valuation,
    )


#: kinds added after policies were stored: a stored policy without them takes these
#: rules (a case is closed by one officer or desk head besides whoever asked)
LATER_KINDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...], Mapping[str, int]]] = {
    "case_close": (("officer", "desk_head", "admin"), ("officer", "desk_head"), {"officer": 1}),
}


def _later_kind(kind: str, roles: frozenset[str]) -> KindRules:
    request, decide, need = LATER_KINDS[kind]
    return KindRules(
        request=frozenset(request) & roles,
        decide=frozenset(decide) & roles,
        reject=1,
        tiers=(Tier(None, MappingProxyType(dict(need))),),
    )


def _kind(node: yaml.Node, kind: str, roles: frozenset[str]) -> KindRules:
    fields = _mapping(node, kind, {"request", "decide", "reject", "tiers"})
    request = _roles(_require(node, fields, "request"), f"{kind}.request", roles)
    decide = _roles(_require(node, fields, "decide"), f"{kind}.decide", roles)
    reject = 1
    if "reject" in fields:
        reject = _count(fields["reject"], f"{kind}.reject", minimum=1)
    tiers = _tiers(_require(node, fields, "tiers"), f"{kind}.tiers", decide)
    return KindRules(request, decide, reject, tiers)


def _tiers(node: yaml.Node, what: str, decide: frozenset[str]) -> tuple[Tier, ...]:
    tiers: list[Tier] = []
    items = _seq(node, what)
    if not items:
        _fail(node, f"{what}: at least one tier is needed")
    last_bound: Decimal | None = None
    for n, item in enumerate(items):
        tier_fields = _mapping(item, f"{what}[{n + 1}]", {"below", "need"})
        below: Decimal | None = None
        if "below" in tier_fields:
            below = _number(tier_fields["below"], f"{what} below", positive=True)
            if n == len(items) - 1:
                _fail(tier_fields["below"], "the last tier has no 'below': it takes any amount")
            if last_bound is not None and below <= last_bound:
                _fail(tier_fields["below"], "tiers must be in rising order of 'below'")
            last_bound = below
        elif n != len(items) - 1:
            _fail(item, "only the last tier may leave out 'below'")
        where = what.removesuffix(".tiers")
        need = _need(_require(item, tier_fields, "need"), f"{where} tier", decide)
        tiers.append(Tier(below, need))
    return tuple(tiers)


def _valuation(node: yaml.Node, decide: frozenset[str]) -> ValuationRules:
    fields = _mapping(node, "valuation", {"currency", "max_price_age_hours", "unpriced"})
    currency = DEFAULT_CURRENCY
    if "currency" in fields:
        currency = _symbol(fields["currency"], "currency")
    max_age = DEFAULT_MAX_AGE
    if "max_price_age_hours" in fields:
        hours = _number(fields["max_price_age_hours"], "max_price_age_hours", positive=True)
        if hours > 24 * 366:
            _fail(fields["max_price_age_hours"], "max_price_age_hours: at most a year (8784)")
        max_age = timedelta(hours=float(hours))
    unpriced: dict[str, tuple[Tier, ...]] = {}
    if "unpriced" in fields:
        node = fields["unpriced"]
        if not isinstance(node, yaml.MappingNode):
            _fail(node, "valuation.unpriced: expected a mapping (ASSET: tiers)")
        for key, value in node.value:
            asset = _symbol(key, "asset")
            if asset in unpriced:
                _fail(key, f"valuation.unpriced: '{asset}' appears twice")
            # Only withdrawals carry an amount in an asset: their deciders decide these.
            unpriced[asset] = _tiers(value, f"valuation.unpriced.{asset}", decide)
    return ValuationRules(currency, max_age, MappingProxyType(unpriced))


def _symbol(node: yaml.Node, what: str) -> str:
    try:
        return symbol(_scalar(node), what)
    except PriceError as exc:
        _fail(node, exc.message)


def _risk(node: yaml.Node, roles: frozenset[str]) -> RiskRules:
    fields = _mapping(node, "risk", {"blocked", "escalate", "max_age_hours", "unscreened"})
    blocked: frozenset[str] = frozenset()
    if "blocked" in fields:
        blocked = _names(fields["blocked"], "risk.blocked")
        for item in _seq(fields["blocked"], "risk.blocked"):
            if _scalar(item) not in RISK_LEVELS:
                _fail(item, f"unknown risk level; levels are {', '.join(RISK_LEVELS)}")
    escalate: dict[str, Mapping[str, int]] = {}
    if "escalate" in fields:
        for level, need in _mapping(fields["escalate"], "risk.escalate", set(RISK_LEVELS)).items():
            escalate[level] = _need(need, f"risk.escalate.{level}", roles)
    max_age = _number(_require(node, fields, "max_age_hours"), "max_age_hours", positive=True)
    unscreened = "needs_refresh"
    if "unscreened" in fields:
        unscreened = _scalar(fields["unscreened"])
        if unscreened not in ("needs_refresh", "allow"):
            _fail(fields["unscreened"], "unscreened must be needs_refresh or allow")
    return RiskRules(blocked, escalate, float(max_age), unscreened == "needs_refresh")


# --- node helpers: every error carries the node's position -----------------------


def _fail(node: yaml.Node, message: str) -> NoReturn:
    raise PolicyError(node.start_mark.line + 1, node.start_mark.column + 1, message)


def _scalar(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        _fail(node, "expected a single value here")
    return str(node.value)


def _mapping(node: yaml.Node, what: str, allowed: set[str]) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        _fail(node, f"{what}: expected a mapping (key: value)")
    found: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = _scalar(key)
        if name not in allowed:
            _fail(
                key,
                f"{what}: unknown key '{name[:40]}'; expected one of {', '.join(sorted(allowed))}",
            )
        if name in found:
            _fail(key, f"{what}: '{name}' appears twice")
        found[name] = value
    return found


def _require(parent: yaml.Node, fields: Mapping[str, yaml.Node], name: str) -> yaml.Node:
    if name not in fields:
        _fail(parent, f"'{name}' is missing")
    return fields[name]


def _seq(node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        _fail(node, f"{what}: expected a list")
    return list(node.value)


def _names(node: yaml.Node, what: str) -> frozenset[str]:
    return frozenset(_scalar(item) for item in _seq(node, what))


def _roles(node: yaml.Node, what: str, roles: frozenset[str]) -> frozenset[str]:
    for item in _seq(node, what):
        if _scalar(item) not in roles:
            _fail(item, f"{what}: '{_scalar(item)[:40]}' is not one of the roles above")
    return _names(node, what)


def _number(node: yaml.Node, what: str, *, positive: bool) -> Decimal:
    text = _scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        _fail(node, f"{what}: '{text[:40]}' is not a number")
    if not value.is_finite() or (positive and value <= 0):
        _fail(node, f"{what}: must be a number above 0")
    return value


def _count(node: yaml.Node, what: str, *, minimum: int) -> int:
    text = _scalar(node)
    if not text.isdigit() or int(text) < minimum or int(text) > 50:
        _fail(node, f"{what}: must be a whole number from {minimum} to 50")
    return int(text)


def _need(node: yaml.Node, what: str, allowed: frozenset[str]) -> Mapping[str, int]:
    need: dict[str, int] = {}
    for role, count in _mapping(node, what, set(ROLES)).items():
        if role not in allowed:
            _fail(node, f"{what}: '{role}' may not decide here")
        need[role] = _count(count, f"{what}.{role}", minimum=1)
    if not need:
        _fail(node, f"{what}: needs at least one role")
    return need


def as_dict(policy: Policy) -> dict[str, Any]:
    """For `policy show --json` and tests: the parsed policy as plain values."""
    return {
        "roles": sorted(policy.roles),
        "expiry_days": policy.expiry_days,
        "kinds": {
            k: {
                "request": sorted(r.request),
                "decide": sorted(r.decide),
                "reject": r.reject,
                "tiers": [_tier_dict(t) for t in r.tiers],
            }
            for k, r in policy.kinds.items()
        },
        "risk": {
            "blocked": sorted(policy.risk.blocked),
            "escalate": {k: dict(v) for k, v in policy.risk.escalate.items()},
            "max_age_hours": policy.risk.max_age_hours,
            "unscreened": "needs_refresh" if policy.risk.unscreened_needs_refresh else "allow",
        },
        "valuation": {
            "currency": policy.valuation.currency,
            "max_price_age_hours": policy.valuation.max_price_age.total_seconds() / 3600,
            "unpriced": {
                asset: [_tier_dict(t) for t in tiers]
                for asset, tiers in policy.valuation.unpriced.items()
            },
        },
    }


def _tier_dict(tier: Tier) -> dict[str, Any]:
    return {"below": None if tier.below is None else str(tier.below), "need": dict(tier.need)}
