"""What a target's listing says, compared with what this device saw there before.

A pure function of the local cursor and one listing (names and sizes), run at
the start of every pull. The cursor keeps, per device of the desk, the last
segment taken (`Position`) and the highest number ever listed (`highest`);
this device's own entry says how far its own pushes were confirmed.

The rules of `survey`:

- Fetch, per device other than this one, the numbers after the last one taken
  as long as they follow one another; a missing number is a `gap`, and what
  comes after it waits.
- A number seen listed before (at most `highest`, or taken) that is no longer
  listed has `vanished`: deleted, or the target was restored from an older
  copy. It is reported; nothing is deleted locally because of it.
- This device's own confirmed segments missing from the target are `lost`:
  pushed again from the local copy. Own segments on the target beyond the
  last one this device knows it wrote are `ahead`: the vault was restored from
  a backup or copied to a second machine, and writing the next number would
  fork this device's chain, so it must not push until that is sorted out.
- Other desks' files on the target are named (`other_desks`); when the target
  holds none of this desk's files though the cursor has seen some, the target
  is probably pointed at another desk's folder, or was emptied (`suspect`).
- A file of this desk that no device writes, and a device's segments without
  an announcement, are reported (`strays`, `unannounced`).

The same cursor and listing, in any order, give the same survey.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from app.sync.container import MIN_FILE
from app.sync.segments import Position, parse_name


class Seen(NamedTuple):
    """One device in the cursor."""

    taken: Position = Position()
    #: the highest segment number ever listed on the target for this device
    highest: int = 0


class Survey(NamedTuple):
    #: (device, seq) to get and verify next, in order within each device
    fetch: tuple[tuple[str, int], ...]
    #: device -> the missing numbers below one that is there
    gaps: Mapping[str, tuple[int, ...]]
    #: device -> numbers listed (or taken) before and gone now
    vanished: Mapping[str, tuple[int, ...]]
    #: this device's confirmed segments the target no longer has
    lost: tuple[int, ...]
    #: this device's segments on the target beyond the last it knows it wrote
    ahead: tuple[int, ...]
    #: devices with an announcement file
    announced: frozenset[str]
    #: devices with segments but no announcement
    unannounced: frozenset[str]
    #: other desks with files on this target
    other_desks: frozenset[str]
    #: names under this desk that no Strongroom device writes
    strays: tuple[str, ...]
    #: segment names too small to be a whole file (cut short on the way up)
    short: tuple[str, ...]
    #: the listing per device: the highest number there now (for the next cursor)
    highest: Mapping[str, int]

    @property
    def suspect(self) -> bool:
        """Nothing of this desk is left, though the cursor saw files of it before."""
        return not self.highest and bool(self.vanished or self.lost)


def survey(
    listing: Iterable[tuple[str, int]],
    *,
    desk: str,
    own: str,
    cursor: Mapping[str, Seen],
) -> Survey:
    """`listing`: (name, size) of every file on the target; `own`: this device's id."""
    numbers: dict[str, set[int]] = {}
    announced: set[str] = set()
    other_desks: set[str] = set()
    strays: list[str] = []
    short: list[str] = []
    for name, size in listing:
        first = name.partition("/")[0]
        if first != desk:
            if parse_name(name) is not None:
                other_desks.add(first)
            continue
        where = parse_name(name)
        if where is None:
            strays.append(name)
        elif where.seq is None:
            announced.add(where.device)
        else:
            numbers.setdefault(where.device, set()).add(where.seq)
            if size < MIN_FILE:
                short.append(name)
    fetch: list[tuple[str, int]] = []
    gaps: dict[str, tuple[int, ...]] = {}
    for device in sorted(numbers):
        if device == own:
            continue
        listed = numbers[device]
        nxt = cursor.get(device, Seen()).taken.seq + 1
        while nxt in listed:
            fetch.append((device, nxt))
            nxt += 1
        missing = tuple(n for n in range(nxt, max(listed) + 1) if n not in listed)
        if missing:
            gaps[device] = missing
    vanished: dict[str, tuple[int, ...]] = {}
    lost: tuple[int, ...] = ()
    own_taken = cursor.get(own, Seen()).taken.seq
    for device in sorted(cursor):
        seen = cursor[device]
        listed = numbers.get(device, set())
        top = max(seen.highest, seen.taken.seq)
        gone = tuple(n for n in range(1, top + 1) if n not in listed)
        if device == own:
            lost = tuple(n for n in range(1, seen.taken.seq + 1) if n not in listed)
        elif gone:
            vanished[device] = gone
    return Survey(
        fetch=tuple(fetch),
        gaps=gaps,
        vanished=vanished,
        lost=lost,
        ahead=tuple(sorted(n for n in numbers.get(own, ()) if n > own_taken)),
        announced=frozenset(announced),
        unannounced=frozenset(numbers) - announced,
        other_desks=frozenset(other_desks),
        strays=tuple(sorted(strays)),
        short=tuple(sorted(short)),
        highest={device: max(listed) for device, listed in numbers.items()},
    )


def advance(cursor: Mapping[str, Seen], *, device: str, taken: Position) -> dict[str, Seen]:
    """The cursor after taking a segment of `device`."""
    seen = cursor.get(device, Seen())
    return {**cursor, device: Seen(taken, max(seen.highest, taken.seq))}


def remember(cursor: Mapping[str, Seen], found: Survey) -> dict[str, Seen]:
    """The cursor after a listing: each device's highest number only ever grows."""
    out = dict(cursor)
    for device, top in found.highest.items():
        seen = out.get(device, Seen())
        out[device] = Seen(seen.taken, max(seen.highest, top))
    return out
