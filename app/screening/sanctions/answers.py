"""What the offline list answers, built from a match (or its absence) and the lists
that were asked: every answer names those lists with their file, SHA-256 and date,
in `source`/`list_date` and in the evidence kept with it (`raw`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from app.screening.risk import Level, RiskResult, Status, failed, utc_now
from app.screening.sanctions.mapping import PROVIDER, asset_family

#: what each list contributes to an answer's evidence
PROVENANCE = ("source", "label", "file_name", "sha256", "list_date", "date_from")
#: the list to import for a chain family no imported list covers
_NATIVE_LIST = {"evm": "ETH", "bitcoin": "XBT", "tron": "TRX"}

ListInfo = Mapping[str, Any]


def provenance(infos: Iterable[ListInfo]) -> list[dict[str, Any]]:
    """Each list's name, file, hash and date, as kept in the evidence."""
    return [{k: info.get(k) for k in PROVENANCE} for info in infos]


def _evidence(result: RiskResult, key: str) -> list[Any]:
    """One list of an offline-list answer's evidence; [] for another provider's answer
    or one kept without evidence (stored before schema 7)."""
    if result.provider != PROVIDER or not result.raw:
        return []
    try:
        evidence = json.loads(result.raw)
    except ValueError:
        return []
    found = evidence.get(key) if isinstance(evidence, dict) else None
    return found if isinstance(found, list) else []


def list_refs(result: RiskResult) -> list[dict[str, Any]]:
    """The lists an offline-list answer rests on: name, file, SHA-256, date."""
    return [dict(i) for i in _evidence(result, "lists") if isinstance(i, dict)]


def listed_under(result: RiskResult) -> list[str]:
    """The assets the list filed a hit under (XBT for a Tron address OFAC filed there)."""
    return [str(a) for a in _evidence(result, "assets")]


def refs_text(refs: Iterable[Mapping[str, Any]]) -> str:
    """'sanctioned_addresses_XBT.txt, 2024-09-27 (stated on import), sha256 1a2b3c4d…'."""
    parts = []
    for ref in refs:
        when = ref.get("list_date") or "no date"
        if ref.get("list_date") and ref.get("date_from") == "user":
            when += " (stated on import)"
        digest = str(ref.get("sha256") or "")[:16]
        parts.append(f"{ref.get('file_name') or ref.get('label')}, {when}, sha256 {digest}…")
    return "; ".join(parts)


def _names(infos: Sequence[ListInfo]) -> str:
    return ", ".join(dict.fromkeys(str(i["label"]) for i in infos))


def _newest(infos: Sequence[ListInfo]) -> date | None:
    dates = [i["list_date"] for i in infos if i.get("list_date")]
    return date.fromisoformat(max(dates)) if dates else None


def hit(
    chain: str,
    *,
    address: str,
    assets: tuple[str, ...],
    parties: tuple[tuple[str, str | None], ...],
    infos: Sequence[ListInfo],
    exact: bool,
    family: str,
) -> RiskResult:
    """A listed address. `exact`: the string is listed and valid on the screened chain,
    so it is a sanctions hit whatever asset the list filed it under (the evidence says
    which); otherwise the same text under an asset we cannot check it against."""
    filed_elsewhere = [a for a in assets if asset_family(a, address) != family]
    evidence = {
        "match": "listed" if exact else "listed under another asset",
        "address": address,
        "assets": list(assets),
        "parties": [{"entry_id": ref, "name": name} for ref, name in parties],
        "lists": provenance(infos),
    }
    if exact and len(filed_elsewhere) == len(assets):
        evidence["note"] = f"listed under {', '.join(assets)}, valid on {chain}: the same key"
    names = [name for _ref, name in parties if name]
    return RiskResult(
        chain=chain,
        address=address,
        provider=PROVIDER,
        level=Level.SEVERE if exact else Level.HIGH,
        score=100 if exact else 70,
        fetched_at=utc_now(),
        sanctioned=exact,
        categories=("sanctions",) if exact else ("sanctions_other_asset",),
        source=_names(infos),
        sanctioned_party="; ".join(dict.fromkeys(names)) or None,
        list_date=_newest(infos),
        raw=json.dumps(evidence, sort_keys=True).encode(),
    )


def clean(chain: str, address: str, infos: Sequence[ListInfo]) -> RiskResult:
    """Not on any of the lists that cover the chain (and those lists named)."""
    evidence = {"match": "not listed", "address": address, "lists": provenance(infos)}
    return RiskResult(
        chain=chain,
        address=address,
        provider=PROVIDER,
        level=Level.NONE,
        score=0,
        fetched_at=utc_now(),
        source=_names(infos),
        list_date=_newest(infos),
        raw=json.dumps(evidence, sort_keys=True).encode(),
    )


def not_covered(
    chain: str, address: str, *, family: str, asset: str | None, imported: Sequence[ListInfo]
) -> RiskResult:
    """No imported list answers for this chain: not screened, with what to import."""
    wanted = asset if family == "raw" or asset else _NATIVE_LIST.get(family, asset)
    have = ", ".join(str(i["label"]) for i in imported)
    evidence = {"match": "not covered", "address": address, "lists": provenance(imported)}
    return failed(
        chain=chain,
        address=address,
        provider=PROVIDER,
        status=Status.NOT_COVERED,
        error=f"no imported sanctions list covers {chain} (imported: {have}): import the "
        f"SDN advanced XML, or the {wanted} list "
        f"(strongroom sanctions import FILE --asset {wanted} --date YYYY-MM-DD)",
        raw=json.dumps(evidence, sort_keys=True).encode(),
    )
