"""The alert rules' settings: YAML text, checked node by node so an error names its line.

`parse(text)` returns `Rules` or raises `RulesError(line, column, problem)` (1-based,
pointing at the offending value), as the approval policy does. The shipped defaults
are resources/alerts/default_rules.yaml; a rule left out of a file keeps its
defaults, so a desk writes only what it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType

import yaml

from app import bounded_yaml
from vault.dashboards.levels import LEVELS

MAX_TEXT = 64 * 1024
SEVERITIES = ("info", "warning", "critical")

#: each rule's numbers: name -> (smallest, largest) allowed
NUMBERS: Mapping[str, Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "inflow_drop": {"days": (1, 90), "drop_percent": (1, 100)},
        "outflow_spike": {"days": (1, 90), "rise_percent": (1, 100_000)},
        "dormant_active": {"days": (1, 90), "dormant_days": (1, 3650)},
        "risk_raised": {},
        "sanctions_hit": {},
        "kyc_review": {"due_days": (0, 365)},
        "approvals_pending": {"hours": (1, 24 * 365)},
        "mass_export": {"customers": (1, 10_000_000)},
    }
)
RULE_NAMES = tuple(NUMBERS)


class RulesError(bounded_yaml.YamlInputError):
    """Rules that cannot be used, at a 1-based line and column."""


@dataclass(frozen=True)
class Rule:
    name: str
    enabled: bool
    severity: str
    numbers: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: risk_raised: the newest levels that raise it
    levels: frozenset[str] = frozenset()

    def number(self, key: str) -> int:
        return self.numbers[key]


@dataclass(frozen=True)
class Rules:
    rules: Mapping[str, Rule]

    def get(self, name: str) -> Rule:
        return self.rules[name]

    def enabled(self) -> list[Rule]:
        return [rule for rule in self.rules.values() if rule.enabled]


def default_text() -> str:
    return resources.files("resources").joinpath("alerts/default_rules.yaml").read_text("utf-8")


def default_rules() -> Rules:
    """The shipped rules (which must name every rule and all its settings)."""
    return _parse(default_text(), None)


def parse(text: str) -> Rules:
    """The rules of `text`; a rule or setting it leaves out keeps the shipped default."""
    return _parse(text, default_rules())


def _parse(text: str, base: Rules | None) -> Rules:
    try:
        root = bounded_yaml.compose(text, limit=MAX_TEXT)
        if root is None:
            raise RulesError(1, 1, "the rules are empty; start from 'alerts rules show'")
        return _rules(root, base)
    except RulesError:
        raise
    except bounded_yaml.YamlInputError as exc:
        raise RulesError(exc.line, exc.column, exc.problem) from None


def _rules(root: yaml.Node, base: Rules | None) -> Rules:
    top = _only(root, "the rules", {"version", "rules"})
    if "version" not in top:
        bounded_yaml.fail(root, "version is missing: write 'version: 1' first")
    if bounded_yaml.is_null(top["version"]) or top["version"].value != "1":
        bounded_yaml.fail(top["version"], "version must be 1")
    if "rules" not in top:
        bounded_yaml.fail(root, "rules is missing")
    given = _only(top["rules"], "rules", set(RULE_NAMES))
    found: dict[str, Rule] = {}
    for name in RULE_NAMES:
        if name in given:
            found[name] = _rule(name, given[name], base.get(name) if base else None)
        elif base is not None:
            found[name] = base.get(name)
        else:
            bounded_yaml.fail(top["rules"], f"rules: '{name}' is missing")
    return Rules(MappingProxyType(found))


def _rule(name: str, node: yaml.Node, base: Rule | None) -> Rule:
    allowed = {"enabled", "severity", *NUMBERS[name]} | (
        {"levels"} if name == "risk_raised" else set()
    )
    parts = _only(node, name, allowed)
    enabled = base.enabled if base else True
    if "enabled" in parts:
        value = parts["enabled"]
        if not isinstance(value, yaml.ScalarNode) or value.tag != "tag:yaml.org,2002:bool":
            bounded_yaml.fail(value, f"{name}.enabled must be true or false")
        enabled = value.value.lower() in ("true", "yes", "on")
    severity = base.severity if base else ""
    if "severity" in parts:
        severity = bounded_yaml.text(parts["severity"], f"{name}.severity", max_length=20)
        if severity not in SEVERITIES:
            bounded_yaml.fail(
                parts["severity"], f"{name}.severity must be one of {', '.join(SEVERITIES)}"
            )
    elif base is None:
        bounded_yaml.fail(node, f"{name}: severity is missing")
    numbers: dict[str, int] = dict(base.numbers) if base else {}
    for key, (low, high) in NUMBERS[name].items():
        if key in parts:
            numbers[key] = _whole(parts[key], f"{name}.{key}", low, high)
        elif key not in numbers:
            bounded_yaml.fail(node, f"{name}: {key} is missing")
    levels = base.levels if base else frozenset()
    if "levels" in parts:
        levels = _levels(parts["levels"], f"{name}.levels")
    elif name == "risk_raised" and not levels:
        bounded_yaml.fail(node, f"{name}: levels is missing")
    return Rule(name, enabled, severity, MappingProxyType(numbers), levels)


def _levels(node: yaml.Node, what: str) -> frozenset[str]:
    items = bounded_yaml.items(node, what)
    if not items:
        bounded_yaml.fail(node, f"{what}: name at least one level")
    found: set[str] = set()
    for item in items:
        level = bounded_yaml.text(item, f"a level of {what}", max_length=20)
        if level not in LEVELS:
            bounded_yaml.fail(item, f"unknown risk level '{level}'; levels are {', '.join(LEVELS)}")
        found.add(level)
    return frozenset(found)


def _whole(node: yaml.Node, what: str, low: int, high: int) -> int:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
        bounded_yaml.fail(node, f"{what} must be a whole number")
    try:
        value = int(node.value.replace("_", ""), 0)
    except ValueError:
        bounded_yaml.fail(node, f"{what} must be a whole number")
    if not low <= value <= high:
        bounded_yaml.fail(node, f"{what} must be between {low:,} and {high:,}")
    return value


def _only(node: yaml.Node, what: str, allowed: set[str]) -> dict[str, yaml.Node]:
    parts = bounded_yaml.fields(node, what)
    for key, value in parts.items():
        if key not in allowed:
            names = ", ".join(sorted(allowed))
            bounded_yaml.fail(value, f"{what}: unknown key '{key}'; it takes {names}")
    return parts
