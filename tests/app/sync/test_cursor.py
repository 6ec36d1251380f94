"""The listing survey: gaps, vanished and lost files, other desks, order independence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.cursor import Seen, advance, remember, survey
from app.sync.segments import Position, announcement_name, segment_name

DESK, OTHER = "desk1", "desk2"
ME, A, B = "me", "alice", "bob"
BIG = 500  # bytes: a plausible whole segment


def files(device: str, *numbers: int, desk: str = DESK) -> list[tuple[str, int]]:
    out = [(announcement_name(desk, device), BIG)]
    return out + [(segment_name(desk, device, n), BIG) for n in numbers]


def test_a_fresh_device_fetches_everything_in_order() -> None:
    listing = files(A, 1, 2, 3) + files(B, 1) + files(ME, 1, 2)
    found = survey(listing, desk=DESK, own=ME, cursor={})
    assert found.fetch == ((A, 1), (A, 2), (A, 3), (B, 1))
    assert not found.gaps and not found.vanished and not found.lost
    assert found.announced == {A, B, ME} and not found.unannounced
    assert found.highest == {A: 3, B: 1, ME: 2}


def test_fetching_starts_after_what_was_taken_and_stops_at_a_gap() -> None:
    cursor = {A: Seen(Position(2, "d2"), 2)}
    found = survey(files(A, 1, 2, 3, 5, 6, 9), desk=DESK, own=ME, cursor=cursor)
    assert found.fetch == ((A, 3),)
    assert found.gaps == {A: (4, 7, 8)}


def test_files_seen_before_and_gone_now_have_vanished() -> None:
    """Deleted on the target, or the target restored from an older copy."""
    cursor = {A: Seen(Position(3, "d3"), 5), B: Seen(Position(1, "b1"), 1)}
    found = survey(files(A, 1, 3) + files(B), desk=DESK, own=ME, cursor=cursor)
    assert found.vanished == {A: (2, 4, 5), B: (1,)}
    assert found.fetch == ()
    assert not found.suspect


def test_own_confirmed_segments_missing_from_the_target_are_lost() -> None:
    cursor = {ME: Seen(Position(4, "m4"), 4)}
    found = survey(files(ME, 1, 2), desk=DESK, own=ME, cursor=cursor)
    assert found.lost == (3, 4)
    assert ME not in found.vanished
    assert all(device != ME for device, _ in found.fetch)


def test_own_segments_beyond_what_this_device_wrote_mean_a_restored_or_copied_vault() -> None:
    cursor = {ME: Seen(Position(2, "m2"), 2)}
    found = survey(files(ME, 1, 2, 3, 4), desk=DESK, own=ME, cursor=cursor)
    assert found.ahead == (3, 4)
    assert survey(files(ME, 1, 2), desk=DESK, own=ME, cursor=cursor).ahead == ()


def test_a_target_holding_another_desk_is_suspect() -> None:
    cursor = {A: Seen(Position(2, "d2"), 2), ME: Seen(Position(1, "m1"), 1)}
    found = survey(files(A, 1, 2, desk=OTHER), desk=DESK, own=ME, cursor=cursor)
    assert found.other_desks == {OTHER}
    assert found.suspect
    assert found.fetch == ()
    # A new, empty target is not suspect for a device that has seen nothing yet.
    assert not survey([], desk=DESK, own=ME, cursor={}).suspect


def test_strays_short_files_and_devices_without_an_announcement() -> None:
    listing = [
        (segment_name(DESK, A, 1), 12),
        (segment_name(DESK, B, 1), BIG),
        (f"{DESK}/notes.txt", 3),
        (f"{DESK}/devices/{A}/00000002.seg.bak", BIG),
        ("README.md", 10),
    ]
    found = survey(listing, desk=DESK, own=ME, cursor={})
    assert found.strays == (f"{DESK}/devices/{A}/00000002.seg.bak", f"{DESK}/notes.txt")
    assert found.short == (segment_name(DESK, A, 1),)
    assert found.unannounced == {A, B}
    assert found.other_desks == frozenset()  # README.md is no desk's file


def test_the_cursor_only_grows() -> None:
    cursor = advance({}, device=A, taken=Position(1, "a1"))
    assert cursor == {A: Seen(Position(1, "a1"), 1)}
    cursor = remember(cursor, survey(files(A, 1, 2, 3), desk=DESK, own=ME, cursor=cursor))
    assert cursor[A] == Seen(Position(1, "a1"), 3)
    cursor = remember(cursor, survey(files(A, 1), desk=DESK, own=ME, cursor=cursor))
    assert cursor[A].highest == 3  # a rolled-back target does not lower it


listings = st.lists(st.tuples(st.sampled_from([A, B, ME]), st.integers(1, 12)), max_size=30).map(
    lambda pairs: [(segment_name(DESK, d, n), BIG) for d, n in pairs]
)
cursors = st.dictionaries(
    st.sampled_from([A, B, ME]),
    st.tuples(st.integers(0, 12), st.integers(0, 12)).map(
        lambda t: Seen(Position(t[0], f"h{t[0]}" if t[0] else ""), t[1])
    ),
)


@settings(max_examples=200, deadline=None)
@given(listing=listings, cursor=cursors, seed=st.randoms())
def test_the_same_listing_in_any_order_gives_the_same_survey(
    listing: list[tuple[str, int]], cursor: dict[str, Seen], seed: object
) -> None:
    shuffled = list(listing)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    assert survey(listing, desk=DESK, own=ME, cursor=cursor) == survey(
        shuffled, desk=DESK, own=ME, cursor=cursor
    )


@settings(max_examples=200, deadline=None)
@given(listing=listings, cursor=cursors)
def test_every_number_is_accounted_for(
    listing: list[tuple[str, int]], cursor: dict[str, Seen]
) -> None:
    """Each device's numbers after the last taken are fetched, a gap, or not yet
    listed; each seen number is listed or vanished; nothing is fetched twice."""
    found = survey(listing, desk=DESK, own=ME, cursor=cursor)
    assert len(set(found.fetch)) == len(found.fetch)
    listed = set(_pairs(listing))
    for device, top in found.highest.items():
        if device == ME:
            continue
        taken = cursor.get(device, Seen()).taken.seq
        first_gap = min(found.gaps.get(device, (top + 1,)))
        fetched = [n for d, n in found.fetch if d == device]
        assert fetched == list(range(taken + 1, first_gap))
        assert all((device, n) in listed for n in fetched)
        assert all((device, n) not in listed for n in found.gaps.get(device, ()))
    for device, seen in cursor.items():
        top = seen.taken.seq if device == ME else max(seen.highest, seen.taken.seq)
        gone = found.lost if device == ME else found.vanished.get(device, ())
        for n in range(1, top + 1):
            assert (n in gone) != ((device, n) in listed)


def _pairs(listing: list[tuple[str, int]]) -> list[tuple[str, int]]:
    out = []
    for name, _ in listing:
        device, _, file = name.split("/", 2)[2].partition("/")
        out.append((device, int(file.split(".")[0])))
    return out
