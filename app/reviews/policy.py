"""The review policy: YAML text, checked node by node so an error names its line.

`parse(text)` returns a `ReviewPolicy` or raises `ReviewPolicyError(line, column,
problem)` (1-based, pointing at the offending value), like the approval policy.
The shipped default is resources/reviews/default_policy.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from types import MappingProxyType

import yaml

from app import bounded_yaml
from app.bounded_yaml import fail, fields, items, text

#: the ratings a policy gives an interval to ("unrated": no rating set yet)
RATINGS = ("high", "medium", "low", "prohibited", "unrated")
ANSWERS = ("yes", "no", "n/a")
MAX_TEXT = 32 * 1024
MAX_QUESTIONS = 30


class ReviewPolicyError(bounded_yaml.YamlInputError):
    """A review policy that cannot be used, at a 1-based line and column."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str


@dataclass(frozen=True)
class ReviewPolicy:
    #: rating -> months between two reviews
    every_months: Mapping[str, int]
    expiry_notice_days: int
    checklist: tuple[Question, ...]

    def months_for(self, rating: str | None) -> int:
        if rating is None or rating not in self.every_months:
            return self.every_months["unrated"]
        return self.every_months[rating]


def default_text() -> str:
    return resources.files("resources").joinpath("reviews/default_policy.yaml").read_text("utf-8")


def default_policy() -> ReviewPolicy:
    return parse(default_text())


def parse(source: str) -> ReviewPolicy:
    try:
        return _parse(source)
    except ReviewPolicyError:
        raise
    except bounded_yaml.YamlInputError as exc:
        raise ReviewPolicyError(exc.line, exc.column, exc.problem) from None


def _parse(source: str) -> ReviewPolicy:
    root = bounded_yaml.compose(source, limit=MAX_TEXT)
    if root is None:
        raise ReviewPolicyError(1, 1, "the policy is empty")
    top = _known(root, "the policy", ("version", "every_years", "expiry_notice_days", "checklist"))
    version = _require(root, top, "version")
    if not isinstance(version, yaml.ScalarNode) or version.value != "1":
        fail(version, "version must be 1")
    every_node = _require(root, top, "every_years")
    every = _known(every_node, "every_years", RATINGS)
    months: dict[str, int] = {}
    for rating in RATINGS:
        if rating not in every:
            fail(every_node, f"every_years: '{rating}' is missing")
        months[rating] = _months(every[rating], f"every_years.{rating}")
    notice = _whole(_require(root, top, "expiry_notice_days"), "expiry_notice_days", 0, 365)
    return ReviewPolicy(
        every_months=MappingProxyType(months),
        expiry_notice_days=notice,
        checklist=_checklist(_require(root, top, "checklist")),
    )


def _checklist(node: yaml.Node) -> tuple[Question, ...]:
    questions: list[Question] = []
    entries = items(node, "checklist")
    if not entries:
        fail(node, "checklist: at least one question is needed")
    if len(entries) > MAX_QUESTIONS:
        fail(entries[MAX_QUESTIONS], f"checklist: at most {MAX_QUESTIONS} questions")
    for n, entry in enumerate(entries, start=1):
        values = _known(entry, f"checklist[{n}]", ("id", "question"))
        ident = text(_require(entry, values, "id"), f"checklist[{n}].id", max_length=40)
        if not ident.replace("_", "").isalnum() or not ident.isascii():
            fail(values["id"], f"checklist[{n}].id: letters, digits and _ only")
        if any(q.id == ident for q in questions):
            fail(values["id"], f"checklist: the id '{ident}' appears twice")
        wording = text(
            _require(entry, values, "question"), f"checklist[{n}].question", max_length=300
        )
        if not wording.strip():
            fail(values["question"], f"checklist[{n}].question is empty")
        questions.append(Question(ident, wording.strip()))
    return tuple(questions)


def _known(node: yaml.Node, what: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
    found = fields(node, what)
    for key, value in found.items():
        if key not in allowed:
            where = next(k for k, v in node.value if v is value)
            fail(where, f"{what}: unknown key '{key[:40]}'; expected one of {', '.join(allowed)}")
    return found


def _require(parent: yaml.Node, found: Mapping[str, yaml.Node], name: str) -> yaml.Node:
    if name not in found:
        fail(parent, f"'{name}' is missing")
    return found[name]


def _months(node: yaml.Node, what: str) -> int:
    if not isinstance(node, yaml.ScalarNode) or node.tag not in (
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    ):
        fail(node, f"{what} must be a number of years")
    try:
        years = Decimal(str(node.value).replace("_", ""))
    except InvalidOperation:
        fail(node, f"{what} must be a number of years")
    if not years.is_finite() or years <= 0 or years > 10 or (years * 2) % 1:
        fail(node, f"{what}: whole or half years from 0.5 to 10")
    return int(years * 12)


def _whole(node: yaml.Node, what: str, low: int, high: int) -> int:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
        fail(node, f"{what} must be a whole number")
    try:
        value = int(str(node.value).replace("_", ""))
    except ValueError:
        fail(node, f"{what} must be a whole number like 30")
    if not low <= value <= high:
        fail(node, f"{what}: from {low} to {high}")
    return value
