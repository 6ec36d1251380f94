"""TRM Labs screenings as RiskResults.

TRM rates each risk indicator and entity on its own scale, "Severe = 15,
High = 10, Medium = 5, Low = 1, Unknown = 0" (trm-labs.md, "Response
item"). The address takes the highest level among its indicators and
entities; the score is risk.py's representative score of that level:

| TRM level      | level  | score |
|----------------|--------|-------|
| 15 Severe      | severe | 90    |
| 10 High        | high   | 70    |
| 5 Medium       | medium | 40    |
| 1 Low          | low    | 20    |
| 0 Unknown      | low    | 10    |
| no indicators and no entities | none | 0 |
| sanctioned (below) | severe | 100, sanctioned |

"Unknown" is a category TRM flagged but did not rate: shown as low so the
flag is never hidden behind "none".

Sanctioned only where TRM ties the address itself to the Sanctions
category (`categoryId` "69"): an indicator with riskType `OWNERSHIP` ("the
address itself is the entity"), or an attributed entity in that category.
`COUNTERPARTY` and `INDIRECT` sanctions indicators are exposure (e.g. the
docs' Bitcoin sample: Sanctions only INDIRECT -> severe, not sanctioned).

Categories: every indicator's and entity's. Exposures: `COUNTERPARTY` is
direct, `INDIRECT` indirect, valued at `totalVolumeUsd`; `OWNERSHIP` is what
the address is, not exposure, and shows among the categories.

Values outside TRM's documented sets (a level of 42, a new riskType) do not
void the answer: the flag counts with the level its label names, or as
"Unknown" (low, 10) when neither is documented, and each such value is added
to the categories as "not understood: ..." so the result and its evidence
say what was not read.
"""

from __future__ import annotations

from app.addresses import CHAINS
from app.screening.providers.base import ProviderInfo, Verdict, categories, exposures
from app.screening.risk import Level
from integrations.kyt.trm import CHAINS as TRM_CHAINS
from integrations.kyt.trm import Entity, RiskIndicator, ScreenedAddress
from integrations.kyt.trm.client import CONFIG

INFO = ProviderInfo(
    name="trm",
    label="TRM Labs",
    needs_key=True,
    needs_secret=False,
    rate_per_second=CONFIG.rate_per_second,
    rate_source="trm-labs.md: per-key limits are contract-specific (unconfirmed); "
    "1/s chosen, 429 Retry-After honoured",
    ttl_seconds=24 * 3600,
    ttl_reason="screenings are billed per address on most contracts and exposure moves "
    "slowly; once a day per address matches a desk's daily review",
    chains=tuple(c for c in CHAINS if c in TRM_CHAINS),
)

#: TRM level -> (our level, score)
LEVELS = {
    15: (Level.SEVERE, 90),
    10: (Level.HIGH, 70),
    5: (Level.MEDIUM, 40),
    1: (Level.LOW, 20),
    0: (Level.LOW, 10),
}
SANCTIONS_ID = "69"


def judge_screening(answer: ScreenedAddress) -> Verdict:
    indicators, entities = answer.indicators, answer.entities
    found = categories([*(i.category for i in indicators), *(e.category for e in entities)])
    found += tuple(f"not understood: {note}" for note in answer.unknown)
    direct = exposures(
        (i.category, i.total_usd, None) for i in indicators if i.risk_type == "COUNTERPARTY"
    )
    indirect = exposures(
        (i.category, i.total_usd, None) for i in indicators if i.risk_type == "INDIRECT"
    )
    owned = [i for i in indicators if i.risk_type == "OWNERSHIP" and _sanctions(i)]
    listed = [e.name for e in entities if _sanctions(e)]
    if owned or listed:
        return Verdict(
            Level.SEVERE,
            100,
            sanctioned=True,
            categories=found,
            direct=direct,
            indirect=indirect,
            sanctioned_party="; ".join(dict.fromkeys(listed)) or None,
        )
    # a flag whose level could not be read counts as TRM's "Unknown": never hidden
    levels = [i.level or 0 for i in indicators] + [e.level or 0 for e in entities]
    level, score = LEVELS[max(levels)] if levels else (Level.NONE, 0)
    return Verdict(level, score, categories=found, direct=direct, indirect=indirect)


def _sanctions(flag: RiskIndicator | Entity) -> bool:
    return flag.category_id == SANCTIONS_ID or flag.category.strip().lower() == "sanctions"
