"""The one risk model every screening answer is mapped to, whoever gave it.

A block explorer, a KYT provider (Chainalysis, Elliptic, TRM) and the
offline sanctions list all answer with a `RiskResult`; the UI, the approval
policy and the customer rating only ever read this type. Pure data and
helpers (no Qt, SQL or HTTP); safe on any thread.

Levels, worst last: none < low < medium < high < severe. A provider that gives
only a score maps it with `level_for_score`; one that gives only a level maps
it with `score_for_level`. "sanctioned" always means level severe and score
100. A result whose status is not `ok` carries level `unknown` and no score:
an error never looks like a clean answer.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


class Level(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    SEVERE = "severe"
    UNKNOWN = "unknown"  # only with a status other than ok


RANK = {
    Level.UNKNOWN: -1,
    Level.NONE: 0,
    Level.LOW: 1,
    Level.MEDIUM: 2,
    Level.HIGH: 3,
    Level.SEVERE: 4,
}

# Score bands (inclusive lower bounds); the representative score of a level given alone.
_BANDS = ((75, Level.SEVERE), (50, Level.HIGH), (25, Level.MEDIUM), (1, Level.LOW))
_TYPICAL = {Level.NONE: 0, Level.LOW: 20, Level.MEDIUM: 40, Level.HIGH: 70, Level.SEVERE: 90}


class Status(enum.StrEnum):
    """Whether an answer was obtained and, if not, which kind of failure (STYLE.md 8)."""

    OK = "ok"
    INVALID_ADDRESS = "invalid_address"  # the address is not valid for the chain
    UNSUPPORTED = "unsupported"  # the provider does not cover this chain or asset
    # An offline list was asked about a chain none of the imported lists covers (only
    # the ETH list imported, a Bitcoin address screened): not screened, never "none".
    NOT_COVERED = "not_covered"
    NOT_CONFIGURED = "not_configured"  # no API key, or no sanctions list imported yet
    AUTH = "auth"  # key refused: ask for it again
    TRANSIENT = "transient"  # timeout, 429, 5xx, offline: retried later with backoff
    MALFORMED = "malformed"  # the provider answered something we cannot read
    FATAL = "fatal"  # anything else: show it, with what to do


def level_for_score(score: int) -> Level:
    """The level of a 0–100 score: 0 none, 1–24 low, 25–49 medium, 50–74 high, 75+ severe."""
    _check_score(score)
    for lower, level in _BANDS:
        if score >= lower:
            return level
    return Level.NONE


def score_for_level(level: Level) -> int:
    """A representative score for a provider that gives a level only."""
    if level is Level.UNKNOWN:
        raise ValueError("an unknown level has no score")
    return _TYPICAL[level]


def raw_reference(body: bytes) -> str:
    """How a result names the raw answer kept as evidence: its SHA-256."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True, slots=True)
class Exposure:
    """Funds linked to a category (e.g. "mixer"): USD value and/or share of the total (0–1)."""

    category: str
    value: float | None = None
    share: float | None = None

    def __post_init__(self) -> None:
        if self.value is not None and self.value < 0:
            raise ValueError(f"exposure value must not be negative: {self.value}")
        if self.share is not None and not 0 <= self.share <= 1:
            raise ValueError(f"exposure share must be between 0 and 1: {self.share}")

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "value": self.value, "share": self.share}


@dataclass(frozen=True, slots=True)
class RiskResult:
    """One provider's answer about one address, normalised.

    `raw` is the provider's body kept as evidence (stored in `screenings.raw`);
    it is left out of equality and repr, and `raw_ref` names it. List hits also
    say who is sanctioned (`sanctioned_party`), by which list (`source`) and
    which publication of it (`list_date`).
    """

    chain: str
    address: str
    provider: str
    level: Level
    score: int | None
    fetched_at: datetime
    status: Status = Status.OK
    sanctioned: bool = False
    categories: tuple[str, ...] = ()
    direct: tuple[Exposure, ...] = ()
    indirect: tuple[Exposure, ...] = ()
    source: str | None = None
    sanctioned_party: str | None = None
    list_date: date | None = None
    error: str | None = None
    raw: bytes | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.status is Status.OK:
            if self.level is Level.UNKNOWN or self.score is None:
                raise ValueError("an ok result needs a level and a score")
            _check_score(self.score)
            if self.sanctioned and (self.level is not Level.SEVERE or self.score != 100):
                raise ValueError("a sanctioned address is level severe with score 100")
        elif self.level is not Level.UNKNOWN or self.score is not None or self.sanctioned:
            raise ValueError(f"a {self.status} result has level unknown and no score")
        if self.fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware (UTC)")

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def raw_ref(self) -> str | None:
        return None if self.raw is None else raw_reference(self.raw)

    def age_seconds(self, now: datetime | None = None) -> float:
        """How old the answer is: the UI always shows it beside the figure."""
        return ((now or utc_now()) - self.fetched_at).total_seconds()

    def describe(self) -> str:
        """One line for a person: what was found, by whom, as of when."""
        if not self.ok:
            return f"{self.address} on {self.chain} could not be screened ({self.status}): " + (
                self.error or "no details"
            )
        if self.sanctioned:
            text = f"{self.address} is sanctioned ({_list_name(self)})"
            return text + (f": {self.sanctioned_party}" if self.sanctioned_party else "")
        flags = f" ({', '.join(self.categories)})" if self.categories else ""
        return (
            f"{self.address} on {self.chain}: {self.level}, score {self.score}"
            f"{flags} by {self.source or self.provider}"
        )

    def to_record(self) -> dict[str, Any]:
        """The `screenings` row (m0003) for this result, without its id."""
        return {
            "address": self.address,
            "chain": self.chain,
            "provider": self.provider,
            "level": str(self.level),
            "score": self.score,
            "sanctioned": int(self.sanctioned),
            "categories": json.dumps(list(self.categories)),
            "exposures": json.dumps(
                {
                    "direct": [e.as_dict() for e in self.direct],
                    "indirect": [e.as_dict() for e in self.indirect],
                }
            ),
            "raw": self.raw,
            "fetched_at": self.fetched_at.isoformat(),
            "status": str(self.status),
            "source": self.source,
            "sanctioned_party": self.sanctioned_party,
            "list_date": None if self.list_date is None else self.list_date.isoformat(),
            "error": self.error,
        }

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> RiskResult:
        """The inverse of `to_record` (extra keys such as `id` are ignored)."""
        exposures = json.loads(row["exposures"] or "{}")
        return cls(
            chain=row["chain"],
            address=row["address"],
            provider=row["provider"],
            level=Level(row["level"]),
            score=row["score"],
            fetched_at=datetime.fromisoformat(row["fetched_at"]),
            status=Status(row["status"]),
            sanctioned=bool(row["sanctioned"]),
            categories=tuple(json.loads(row["categories"] or "[]")),
            direct=tuple(Exposure(**e) for e in exposures.get("direct", [])),
            indirect=tuple(Exposure(**e) for e in exposures.get("indirect", [])),
            source=row.get("source"),
            sanctioned_party=row.get("sanctioned_party"),
            list_date=date.fromisoformat(row["list_date"]) if row.get("list_date") else None,
            error=row.get("error"),
            raw=row.get("raw"),
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


def failed(
    *,
    chain: str,
    address: str,
    provider: str,
    status: Status,
    error: str,
    raw: bytes | None = None,
) -> RiskResult:
    """A result for an answer that could not be obtained or read."""
    if status is Status.OK:
        raise ValueError("failed() needs an error status")
    return RiskResult(
        chain=chain,
        address=address,
        provider=provider,
        level=Level.UNKNOWN,
        score=None,
        fetched_at=utc_now(),
        status=status,
        error=error,
        raw=raw,
    )


def _severity(result: RiskResult) -> tuple[bool, int, int]:
    return result.sanctioned, RANK[result.level], result.score or 0


def worst(results: Iterable[RiskResult]) -> RiskResult | None:
    """The most serious ok answer (sanctioned first, then level, then score); None if no
    answer is ok. Failed look-ups never count as clean: see `suggest_rating`."""
    answered = [r for r in results if r.ok]
    return max(answered, key=_severity) if answered else None


@dataclass(frozen=True, slots=True)
class RatingSuggestion:
    """A customer risk rating suggested from the screenings of the customer's addresses.

    `rating` uses the customers table's values (low, medium, high, prohibited) or is
    None when nothing could be screened; an officer confirms it, it is never applied
    on its own. `complete` is False when some addresses could not be screened.
    """

    rating: str | None
    reason: str
    basis: RiskResult | None
    complete: bool


# A sanctioned address bars the customer; other levels suggest the matching rating.
_RATING = {
    Level.NONE: "low",
    Level.LOW: "low",
    Level.MEDIUM: "medium",
    Level.HIGH: "high",
    Level.SEVERE: "high",
}


def suggest_rating(results: Iterable[RiskResult]) -> RatingSuggestion:
    """Suggest a rating from every result for one customer's addresses, with the reason.

    e.g. "prohibited: 0x8589… is sanctioned (OFAC SDN, list of 2024-09-27): LAZARUS GROUP".
    """
    results = list(results)
    failures = [r for r in results if not r.ok]
    basis = worst(results)
    missing = _missing(failures, len(results))
    if basis is None:
        reason = "no addresses to screen" if not results else missing.lstrip("; ")
        return RatingSuggestion(None, reason, None, complete=not failures)
    rating = "prohibited" if basis.sanctioned else _RATING[basis.level]
    if basis.level is Level.NONE:
        screened = len(results) - len(failures)
        providers = ", ".join(sorted({r.source or r.provider for r in results if r.ok}))
        plural = "address" if screened == 1 else "addresses"
        reason = f"{rating}: no flags on {screened} {plural} ({providers})"
    else:
        reason = f"{rating}: {basis.describe()}"
    return RatingSuggestion(rating, reason + missing, basis, complete=not failures)


def _missing(failures: list[RiskResult], total: int) -> str:
    if not failures:
        return ""
    first = failures[0]
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    return (
        f"; {len(failures)} of {total} could not be screened "
        f"({first.address} on {first.chain}: {str(first.status).replace('_', ' ')}{more})"
    )


def _list_name(result: RiskResult) -> str:
    name = result.source or result.provider
    return f"{name}, list of {result.list_date.isoformat()}" if result.list_date else name


def _check_score(score: int) -> None:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValueError(f"score must be an integer from 0 to 100, not {score!r}")
