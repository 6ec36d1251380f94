"""`strongroom screen`'s exit code: what a script gating on a screening needs to know.

0: every address answered and none at the `--fail-on` level (or no `--fail-on`);
HIT (8): an answer at that level or worse (a sanctioned address counts as severe);
UNSCREENED (9): with `--fail-on`, some address got no answer now (not covered by an
imported list, an error, or a look-up waiting in the outbox): a script that stops
on a hit must not take an unscreened address for a clean one. No sanctions list at
all is UNSCREENED whatever the options: nothing could be screened.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.screening.cache import Lookup, Origin
from app.screening.risk import RANK, Level

HIT = 8
UNSCREENED = 9

NO_LIST = (
    "no sanctions list is imported in this vault, so nothing was screened. Import the "
    "OFAC SDN advanced XML (strongroom sanctions import SDN_ADVANCED.XML --vault PATH) "
    "or a plain list with its asset and publication date (strongroom sanctions import "
    "sanctioned_addresses_XBT.txt --asset XBT --date YYYY-MM-DD --vault PATH)."
)


def exit_code(lookups: Iterable[Lookup], fail_on: str | None) -> int:
    """The exit code for these look-ups under `--fail-on` (None: always 0)."""
    if fail_on is None:
        return 0
    bar = RANK[Level(fail_on)]
    unscreened = False
    for lookup in lookups:
        result = lookup.result
        if result is not None and result.ok and (result.sanctioned or RANK[result.level] >= bar):
            return HIT
        answered = result is not None and result.ok and lookup.origin is not Origin.QUEUED
        unscreened = unscreened or not answered
    return UNSCREENED if unscreened else 0
