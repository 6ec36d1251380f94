"""Name matching against the real SDN list (OFAC sdn.csv of 2024-05-03): recall on
names changed the ways real input changes them, false positives on made-up ordinary
names, and what a hit says. Skipped when the real list is not there."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from app.names.index import NameIndex, Subject
from app.names.normalise import tokens
from app.names.scoring import pair
from tests.app.names.variants import (
    SDN_CSV,
    han_reads_back,
    ordinary_names,
    sdn_rows,
    variants,
)
from vault.screening.parties import PartyRow


@pytest.fixture(scope="module")
def rows() -> list[PartyRow]:
    if not SDN_CSV.is_file():
        pytest.skip(f"the real SDN list is not at {SDN_CSV}")
    return sdn_rows()


@pytest.fixture(scope="module")
def index(rows: list[PartyRow]) -> NameIndex:
    return NameIndex.build(rows)


def test_names_change_the_way_real_input_changes_them_and_are_still_found(
    rows: list[PartyRow], index: NameIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every 8th party (a deterministic sample, to keep the test short) and every
    # Chinese one (the Han script variant needs them).
    sample = [r for i, r in enumerate(rows) if i % 8 == 0 or "China" in r.nationalities]
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed: dict[str, list[str]] = {}
    for how, row, name, kind in variants(sample):
        total[how] += 1
        if any(m.party.entry_id == row.entry_id for m in index.search(Subject(name, kind))):
            found[how] += 1
        else:
            missed.setdefault(how, []).append(f"{name} / {row.name}")
    overall = sum(found.values()) / sum(total.values())
    with capsys.disabled():
        print(f"\nname recall on the real SDN list: {overall:.4f} of {sum(total.values())}")
        for how in sorted(total):
            print(f"  {how}: {found[how]}/{total[how]} = {found[how] / total[how]:.3f}")
    assert set(total) == {
        "order",
        "case",
        "accents",
        "typo",
        "dropped middle name",
        "alias",
        "chinese script",
    }
    assert total["chinese script"] >= 30
    assert overall >= 0.98, missed
    for how in total:
        assert found[how] / total[how] >= 0.93, (how, missed.get(how, [])[:10])


def test_ordinary_names_raise_at_most_one_percent_false_positives(
    index: NameIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ordinary_names(3000)
    flagged = [n for n in names if index.search(Subject(n, "individual"))]
    rate = len(flagged) / len(names)
    with capsys.disabled():
        print(f"\nfalse positives on {len(names)} made-up ordinary names: {rate:.4f}")
    assert rate <= 0.01, flagged


def test_the_han_characters_of_the_chinese_variants_read_back_as_their_syllables() -> None:
    assert han_reads_back() == []


def test_name_order_case_punctuation_diacritics_and_scripts_give_the_same_tokens() -> None:
    assert sorted(tokens("ZHANG, Wei")) == sorted(tokens("Wei Zhang")) == ["wei", "zhang"]
    assert tokens("RODRÍGUEZ") == tokens("rodriguez")
    assert tokens("O'Brien-Smith") == ("obrien", "smith")
    assert tokens("张伟") == ("zhang", "wei")
    assert tokens("闫晓兵") == ("yan", "xiaobing")
    assert tokens("Владимир Путин") == ("vladimir", "putin")
    assert tokens("CIMEX, S.A.", "entity") == ("cimex",)


def test_a_shared_first_name_or_a_missing_surname_is_not_a_hit() -> None:
    listed = tokens("JAFARI, Mohammad Ali")
    assert pair(tokens("Mohammad Ali"), listed, surnames=1).score < 80
    assert pair(tokens("Mohammad Jafari"), listed, surnames=1).score >= 90
    assert pair(tokens("Mohammad"), tokens("ALI, Mohammad"), surnames=1).score < 60


def test_an_individual_is_not_matched_against_a_vessel(
    rows: list[PartyRow], index: NameIndex
) -> None:
    vessel = next(r for r in rows if r.kind == "vessel" and len(r.name.split()) >= 2)
    as_entity = index.search(Subject(vessel.name, "entity"))
    assert vessel.entry_id in {m.party.entry_id for m in as_entity}
    as_person = index.search(Subject(vessel.name, "individual"))
    assert vessel.entry_id not in {m.party.entry_id for m in as_person}
    assert all(m.party.kind == "individual" for m in as_person)


def test_a_hit_says_why_and_birth_date_and_nationality_move_its_score(
    index: NameIndex,
) -> None:
    # YAN, Xiaobing: SDNTK, born 25 Mar 1977, citizen of China.
    plain = index.search(Subject("Xiaobing Yan", "individual"))
    hit = next(m for m in plain if m.listed.text == "YAN, Xiaobing")
    assert hit.program == "SDNTK"
    assert hit.why()["matched_on"] == "name"
    assert hit.why()["tokens"] == [
        {"name": "xiaobing", "listed": "xiaobing", "similarity": 100},
        {"name": "yan", "listed": "yan", "similarity": 100},
    ]
    same = index.search(Subject("Xiaobing Yan", "individual", date(1977, 3, 25), "CN"))
    other = index.search(Subject("Xiaobing Yan", "individual", date(1990, 1, 1), "DE"))
    scored = {m.listed.text: m for m in same}["YAN, Xiaobing"]
    assert (scored.birth_date, scored.nationality) == ("matches", "matches")
    assert scored.score >= hit.score
    assert "YAN, Xiaobing" not in {m.listed.text for m in other}  # 100 - 15 - 4 < 88


def test_an_alias_is_found_and_named_as_such(rows: list[PartyRow], index: NameIndex) -> None:
    # KHORASHADIZADEH, Ali is also listed as 'Mastercartaria'.
    found = index.search(Subject("mastercartaria", "individual"))
    hit = next(m for m in found if m.party.entry_id == "26137")
    assert hit.why()["matched_on"] == "alias"
    assert hit.why()["listed_as"] == "Mastercartaria"
    assert hit.party.name == "KHORASHADIZADEH, Ali"
