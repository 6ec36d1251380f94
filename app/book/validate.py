"""Turning user input (a form, a CSV row) into validated drafts, with precise reasons."""

from __future__ import annotations

import re
from collections.abc import Mapping

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.book.models import KINDS, KYC_STATUSES, RISK_RATINGS, CustomerDraft, ValidationError

MAX_NAME = 300
MAX_TEXT = 4000
_SPLIT = re.compile(r"[;,|]")
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) - {"001"}


def _clean(value: object) -> str:
    text = "" if value is None else str(value).strip()
    # Undo our own export's formula neutralisation ("'+4930..." -> "+4930..."), so an
    # exported file imports back unchanged.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def country(value: str) -> str | None:
    text = _clean(value).upper()
    if not text:
        return None
    if text not in _COUNTRIES:
        raise ValidationError("country", f"'{text[:10]}' is not an ISO 3166 two-letter code")
    return text


def email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError("email", str(exc)) from None


def phone(value: str, region: str | None) -> str:
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "phone", "not a phone number (use +<country code> or set the country)"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError("phone", "not a valid number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _choice(name: str, value: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    text = _clean(value).lower().replace(" ", "_").replace("-", "_")
    if not text:
        return default
    if text not in allowed:
        raise ValidationError(name, f"'{text[:20]}' is not one of {', '.join(allowed)}")
    return text


def _many(value: object) -> list[str]:
    return [part.strip() for part in _SPLIT.split(_clean(value)) if part.strip()]


def external_id(fields: Mapping[str, object]) -> str | None:
    """A row's external id as it is stored (None when empty)."""
    return _clean(fields.get("external_id")) or None


def customer(fields: Mapping[str, object]) -> CustomerDraft:
    """A draft from named fields (import columns or a form); raises on the first bad value."""
    name = _clean(fields.get("name") or fields.get("display_name"))
    if not name:
        raise ValidationError("name", "is empty")
    if len(name) > MAX_NAME:
        raise ValidationError("name", f"is longer than {MAX_NAME} characters")
    legal = _clean(fields.get("legal_name")) or None
    region = country(_clean(fields.get("country")))
    kind = _choice("kind", _clean(fields.get("kind")), KINDS, "individual")
    kyc = _choice("kyc_status", _clean(fields.get("kyc_status")), KYC_STATUSES, "not_started")
    risk = _choice("risk_rating", _clean(fields.get("risk_rating")), RISK_RATINGS, None)
    external = external_id(fields)
    if external is not None and len(external) > 100:
        raise ValidationError("external_id", "is longer than 100 characters")
    emails = tuple(dict.fromkeys(email(e) for e in _many(fields.get("email"))))
    phones = tuple(dict.fromkeys(phone(p, region) for p in _many(fields.get("phone"))))
    tags = tuple(sorted({t[:50] for t in _many(fields.get("tags"))}))
    reason = _clean(fields.get("risk_reason"))[:MAX_TEXT] or None
    assert kind is not None and kyc is not None
    return CustomerDraft(
        display_name=name,
        kind=kind,
        legal_name=legal,
        external_id=external,
        country=region,
        owner=_clean(fields.get("owner")) or None,
        emails=emails,
        phones=phones,
        tags=tags,
        kyc_status=kyc,
        risk_rating=risk,
        risk_reason=reason,
    )
