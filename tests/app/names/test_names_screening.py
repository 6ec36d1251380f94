"""Name screening of the customer book in a real vault: importing sdn.csv (and
alt.csv), hits stored, signed dispositions, and a false positive not raised again
unless the list entry or the customer's name changes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.names.service import NameScreening, NameScreeningError
from app.screening.sanctions import SanctionsImportError, import_sanctions, screen_offline
from integrations.sanctions import sniff
from integrations.sanctions.sdn_csv import iter_sdn_csv
from tests.app.names.variants import SDN_CSV
from vault.events import verify_chain
from vault.store import Vault

XBT = "1AjZPMsnmpdK2Rv9KQNfMurTXinscVro9V"
SDN_ROWS = [
    '26138,"GHORBANIYAN, Mohammad","individual","CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 09 Mar 1987; POB Tehran, Iran; nationality Iran; Digital Currency Address - XBT '
    f"{XBT}; a.k.a. 'Ensaniyat'.\"",
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."',
    '9999,"SEA STAR",vessel,"IRAN",-0- ,-0- ,"Crude Oil Tanker",-0- ,-0- ,"Iran",-0- ,-0- ',
]
ALT_ROWS = ['26138,90001,"aka","GORBANIAN, Mohammed",-0- ']


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n\x1a\n", encoding="utf-8")
    return path


@pytest.fixture
def listed(vault: Vault, tmp_path: Path) -> Path:
    sdn = write_csv(tmp_path / "sdn.csv", SDN_ROWS)
    alt = write_csv(tmp_path / "alt.csv", ALT_ROWS)
    import_sanctions(vault, sdn, list_date=date(2024, 5, 3), aliases=alt)
    return sdn


def add_customer(vault: Vault, external_id: str, name: str, kind: str = "individual") -> int:
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        draft = CustomerDraft(display_name=name, kind=kind, external_id=external_id)
        customer_id, _ = book.save_customer(tx, draft)
    return customer_id


def test_sdn_csv_is_detected_and_its_parties_and_addresses_are_imported(
    vault: Vault, listed: Path
) -> None:
    assert sniff(listed) == "sdn-csv"
    info = vault.conn.execute(
        "SELECT label, list_date, date_from, file_name, counts FROM sanctions_lists"
    ).fetchone()
    assert info[:4] == ("OFAC SDN (CSV)", "2024-05-03", "user", "sdn.csv")
    assert json.loads(info[4])["parties"] == 3
    assert json.loads(info[4])["aliases"] == 3  # two in the remarks, one from alt.csv
    files = vault.conn.execute("SELECT role, file_name FROM sanctions_list_files").fetchall()
    assert files == [("aliases", "alt.csv")]
    kinds = dict(vault.conn.execute("SELECT entry_id, kind FROM sanctions_entries"))
    assert kinds == {"26138": "individual", "306": "entity", "9999": "vessel"}
    # The address in the remarks reaches address screening.
    result = screen_offline(vault, "bitcoin", XBT)
    assert result.sanctioned
    assert "GHORBANIYAN" in (result.sanctioned_party or "")


def test_the_real_sdn_csv_parses(tmp_path: Path) -> None:
    if not SDN_CSV.is_file():
        pytest.skip(f"the real SDN list is not at {SDN_CSV}")
    parties = list(iter_sdn_csv(SDN_CSV))
    assert len(parties) > 12_000
    yan = next(p for p in parties if p.entry_id == "25308")
    assert (yan.name, yan.kind, yan.programs) == ("YAN, Xiaobing", "individual", ("SDNTK",))
    assert yan.birth_dates == ("25 Mar 1977",)
    assert yan.nationalities == ("China",)
    assert ("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h") in yan.addresses


def test_an_undated_csv_and_an_alias_file_without_it_are_refused(
    vault: Vault, tmp_path: Path
) -> None:
    sdn = write_csv(tmp_path / "sdn.csv", SDN_ROWS)
    with pytest.raises(SanctionsImportError, match="publication date"):
        import_sanctions(vault, sdn)
    plain = tmp_path / "sanctioned_addresses_XBT.txt"
    plain.write_text(XBT + "\n")
    with pytest.raises(SanctionsImportError, match="alias file"):
        import_sanctions(vault, plain, list_date=date(2024, 5, 3), aliases=sdn)
    assert vault.conn.execute("SELECT count(*) FROM sanctions_lists").fetchone()[0] == 0


def test_a_false_positive_is_not_raised_again_until_the_entry_changes(
    vault: Vault, listed: Path, tmp_path: Path
) -> None:
    customer = add_customer(vault, "C1", "Mohammad Ghorbaniyan")
    add_customer(vault, "C2", "Jane Doe")
    service = NameScreening(vault)
    report = service.screen()
    assert report.summary() == {"screened": 2, "names": 2, "hits": 1, "new": 1, "suppressed": 0}
    hit = report.hits[0]
    assert (hit.customer_id, hit.entry_id, hit.program) == (customer, "26138", "CYBER2")
    assert hit.why["tokens"][0]["listed"] in ("mohammad", "ghorbaniyan")
    # Screening again reports the open hit, raises nothing new.
    again = service.screen()
    assert (again.raised, again.open, [h.id for h in again.hits]) == (0, 1, [hit.id])

    disposed = service.dispose(hit.id, "false-positive", "other person: born 1960 in Shiraz")
    assert disposed.status == "false-positive"
    assert service.verify(hit.id)
    assert service.screen().summary()["suppressed"] == 1
    assert service.screen().hits == []
    with pytest.raises(NameScreeningError, match="already disposed"):
        service.dispose(hit.id, "true-match", "changed my mind")

    # The entry changes (a new date of birth): the match is raised again.
    changed = [SDN_ROWS[0].replace("09 Mar 1987", "09 Mar 1988"), *SDN_ROWS[1:]]
    import_sanctions(vault, write_csv(tmp_path / "sdn2.csv", changed), list_date=date(2024, 5, 10))
    after = service.screen()
    assert (after.raised, len(after.hits)) == (1, 1)
    assert after.hits[0].id != hit.id
    assert verify_chain(vault.conn).ok


def test_a_renamed_customer_is_screened_again(vault: Vault, listed: Path) -> None:
    add_customer(vault, "C1", "Mohammad Ghorbaniyan")
    service = NameScreening(vault)
    first = service.screen().hits[0]
    service.dispose(first.id, "false-positive", "a namesake")
    add_customer(vault, "C1", "Mohammed Ghorbaniyan")  # same external id: an update
    again = service.screen()
    assert again.raised == 1 and again.hits[0].id != first.id
    # Only case or punctuation changed: not a new name.
    service.dispose(again.hits[0].id, "false-positive", "a namesake")
    add_customer(vault, "C1", "MOHAMMED GHORBANIYAN.")
    assert service.screen().raised == 0


def test_a_true_match_makes_the_customer_prohibited_with_a_signed_event(
    vault: Vault, listed: Path
) -> None:
    customer = add_customer(vault, "C1", "Banco Nacional de Cuba", kind="entity")
    add_customer(vault, "C2", "Sea Star", kind="individual")  # a person is not a vessel
    service = NameScreening(vault)
    report = service.screen()
    assert [(h.customer_id, h.entry_id) for h in report.hits] == [(customer, "306")]
    service.dispose(report.hits[0].id, "true-match", "same bank, same address in Havana")
    rating, reason = vault.conn.execute(
        "SELECT risk_rating, risk_reason FROM customers WHERE id = ?", (customer,)
    ).fetchone()
    assert rating == "prohibited"
    assert "BANCO NACIONAL DE CUBA" in reason
    events = [
        json.loads(p)
        for (p,) in vault.conn.execute(
            "SELECT payload FROM events WHERE type = 'names.disposed' ORDER BY seq"
        )
    ]
    assert len(events) == 1
    assert events[0]["message"]["verdict"] == "true-match"
    assert events[0]["signature"].startswith("0x") and len(events[0]["signature"]) == 132
    assert service.verify(report.hits[0].id)
    # A tampered reason no longer verifies.
    vault.conn.execute("UPDATE name_dispositions SET reason = 'x'")
    assert not service.verify(report.hits[0].id)


def test_screening_without_a_list_with_names_says_what_to_do(vault: Vault) -> None:
    with pytest.raises(NameScreeningError, match=r"import OFAC's sdn\.csv"):
        NameScreening(vault).check("Jane Doe")
