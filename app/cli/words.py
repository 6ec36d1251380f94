"""Options whose value is one of a fixed set of words: read, map, or refuse with the list.

argparse's `choices` fits a set whose words are the stored values themselves.
`Words` is for a set with its own spellings (the window's "open" for three
statuses, "desk head" for desk_head): it maps each word to what it stands for,
takes any case and `-`, `_` or a space between parts, and refuses anything else
with every valid word, which argparse turns into a usage error (exit 2). A value
that quietly matched nothing used to print nothing and exit 0.

`ChainPrefixed` checks only the chain of a CHAIN:ADDR or CHAIN=URL value and
passes the text on unchanged: the address or URL is checked where it is used.

Each has `names` (the words `--help` must list; a test checks it does for every
option) and `listed()` (those words as help text).
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

from app.addresses import CHAINS
from app.approvals.model import KINDS, OPEN_STATUSES, ROLES, STATUSES
from app.screening.providers import PROVIDERS as KYT_PROVIDERS
from app.screening.sanctions import PROVIDER as SANCTIONS_LIST

T = TypeVar("T")


def spelling(text: str) -> str:
    """The form words are compared in: lower case, parts joined by "-" ("Onboarding / KYC"
    is onboarding-kyc)."""
    for mark in "_-/":
        text = text.replace(mark, " ")
    return "-".join(text.lower().split())


def _refusal(text: str, what: str, names: tuple[str, ...]) -> argparse.ArgumentTypeError:
    # A high cutoff: "opn" suggests open, but litecoin must not suggest bitcoin.
    close = difflib.get_close_matches(spelling(text), names, n=1, cutoff=0.85)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return argparse.ArgumentTypeError(
        f"'{text[:40]}' is not {what}{hint}; use one of: {', '.join(names)}"
    )


class Words(Generic[T]):
    """An argparse `type`: each word (any case, `-`/`_`/space alike) to its value.
    `labels` are further spellings taken as they are (the window's whole labels, such
    as "Any status"), not listed."""

    def __init__(
        self, what: str, words: Mapping[str, T], labels: Mapping[str, str] | None = None
    ) -> None:
        self.what = what  # "a status": as in "'x' is not a status"
        self._words = {spelling(word): value for word, value in words.items()}
        self.names = tuple(self._words)
        for label, word in (labels or {}).items():
            self._words[spelling(label)] = self._words[spelling(word)]
        self.__name__ = what  # argparse names a type by it in some messages

    def __call__(self, text: str) -> T:
        try:
            return self._words[spelling(text)]
        except KeyError:
            raise _refusal(text, self.what, self.names) from None

    def listed(self) -> str:
        return ", ".join(self.names)


class ChainPrefixed:
    """An argparse `type` for CHAIN<sep>VALUE: refuses an unknown chain, returns the text."""

    def __init__(self, separator: str, chains: Iterable[str] = CHAINS) -> None:
        self.separator = separator
        self.names = tuple(chains)
        self.__name__ = f"CHAIN{separator}VALUE"

    def __call__(self, text: str) -> str:
        chain, sep, _rest = text.strip().partition(self.separator)
        # Without a separator the command's own check says what is missing.
        if sep and chain.strip().lower() not in self.names:
            raise _refusal(chain, "a chain", self.names)
        return text

    def listed(self) -> str:
        return ", ".join(self.names)


def _by_name(values: Iterable[str]) -> dict[str, frozenset[str]]:
    return {value: frozenset({value}) for value in values}


#: `approvals list --status`: the window's Status filter ("Open", "Any status", each
#: status); an empty set means any.
STATUS = Words[frozenset[str]](
    "a status",
    {"open": OPEN_STATUSES, "any": frozenset(), **_by_name(STATUSES)},
    labels={"Any status": "any"},
)
#: `approvals list --kind`: the window's kind tabs ("All kinds", "Onboarding / KYC", ...)
KIND = Words[frozenset[str]](
    "a request kind",
    {"all": frozenset(), **_by_name(KINDS), "kyc": frozenset({"onboarding"})},
    labels={"All kinds": "all", "Onboarding / KYC": "onboarding"},
)
#: `approvals members --role`
ROLE = Words[str]("a role", {role: role for role in ROLES})
#: `screen --provider`
SCREEN_PROVIDER = Words[str](
    "a screening provider",
    {name: name for name in (SANCTIONS_LIST, *KYT_PROVIDERS)},
)
#: CHAIN:ADDR options (`screen`, `explorer`, `approvals request`)
CHAIN_ADDRESS = ChainPrefixed(":")
#: `explorer --explorer-url CHAIN=URL`
CHAIN_URL = ChainPrefixed("=")


def any_of(chosen: Iterable[frozenset[str]] | None) -> frozenset[str]:
    """The values of a repeated Words option whose empty set means "any": their union,
    or any (empty) when none was given or one of them was "any"/"all"."""
    sets = list(chosen or ())
    if not sets or not all(sets):
        return frozenset()
    return frozenset().union(*sets)
