"""Domain types of the customer book and the values they accept."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("individual", "entity")
KYC_STATUSES = ("not_started", "pending", "approved", "rejected", "expired")
RISK_RATINGS = ("low", "medium", "high", "prohibited")
#: what a KYC document is (app.book.documents; the vault's CHECK names the same)
DOCUMENT_TYPES = (
    "passport",
    "id_card",
    "proof_of_address",
    "source_of_funds",
    "company_registry_extract",
    "other",
)

#: Free-text fields are personal values: sealed with the customer's key in events.
PERSONAL_FIELDS = frozenset(
    {
        "legal_name",
        "display_name",
        "emails",
        "phones",
        "risk_reason",
        "label",
        "evidence",
        "body",
        "file_name",
    }
)


class ValidationError(ValueError):
    """One bad value: `field` names it, `reason` says what is wrong (no secret, no PII)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class CustomerDraft:
    """A validated customer, ready to be written."""

    display_name: str
    kind: str = "individual"
    legal_name: str | None = None
    external_id: str | None = None
    country: str | None = None
    owner: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kyc_status: str = "not_started"
    risk_rating: str | None = None
    risk_reason: str | None = None

    def record(self) -> dict[str, object]:
        """The values as stored and compared (legal name defaults to the display name)."""
        return {
            "external_id": self.external_id,
            "kind": self.kind,
            "legal_name": self.legal_name or self.display_name,
            "display_name": self.display_name,
            "country": self.country,
            "owner": self.owner,
            "kyc_status": self.kyc_status,
            "risk_rating": self.risk_rating,
            "risk_reason": self.risk_reason,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "tags": list(self.tags),
        }


@dataclass(frozen=True)
class AddressDraft:
    chain: str
    address: str
    label: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a write did, for counts in imports and for views to redraw."""

    added: bool = False
    changed: bool = False
    conflicts: tuple[int, ...] = field(default_factory=tuple)
