"""What the offline list answers for: only the chains its lists cover, every exact
match as a hit whatever asset OFAC filed it under, and each answer naming the
file, hash and date of the lists it rests on (issue 10, "Screening answers")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.addresses import AddressError, normalize
from app.book.models import AddressDraft, CustomerDraft
from app.book.service import CustomerBook
from app.screening.risk import Level, Status, suggest_rating
from app.screening.sanctions import (
    OfflineSanctions,
    SanctionsImportError,
    import_sanctions,
    remove_list,
)
from app.screening.sanctions.answers import list_refs
from app.screening.service import Screening, latest_per_provider, suggestion_for
from tests.app.test_screening_sanctions import OFAC, _lines
from tests.conftest import PASSPHRASE
from tests.integrations.test_sanctions_xml import ETH_A, write_sample
from tests.vault.helpers import raw_connection
from vault.keys import Keychain
from vault.migrations import MIGRATIONS
from vault.store import Vault
from vault.unlock import Credentials, create_vault, open_vault

DAY = date(2024, 9, 27)
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # a valid address on no list
TRON_CLEAN = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"
#: the chain each supported family is screened on, and its validator
CHAINS = {"evm": "ethereum", "bitcoin": "bitcoin", "tron": "tron"}


@pytest.fixture
def vault(tmp_path: Path, no_keychain: Keychain) -> Iterator[Vault]:
    made = create_vault(tmp_path / "desk.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    yield made.vault
    made.vault.close()


@pytest.fixture
def ofac() -> Path:
    if not OFAC.is_dir():
        pytest.skip(f"the real OFAC lists are not at {OFAC}")
    return OFAC


def _asset(path: Path) -> str:
    return path.stem.rsplit("_", 1)[1]


# --- a list answers only for what it covers ----------------------------------------


def test_a_chain_no_list_covers_is_not_covered_never_none(vault: Vault, ofac: Path) -> None:
    import_sanctions(vault, ofac / "sanctioned_addresses_ETH.txt", "ETH", list_date=DAY)
    lists = OfflineSanctions(vault)
    for chain, address in (("bitcoin", BTC), ("tron", TRON_CLEAN), ("LTC", "LNotListed")):
        answer = lists.screen(chain, address)
        assert answer.status is Status.NOT_COVERED, (chain, answer)
        assert answer.level is Level.UNKNOWN and answer.score is None
        assert answer.error is not None and "sanctions import" in answer.error
    assert "--asset XBT" in (lists.screen("bitcoin", BTC).error or "")
    # What the ETH list covers still answers, and a hit stays a hit anywhere it is listed.
    assert lists.screen("arbitrum", "0x" + "12" * 20).level is Level.NONE
    assert lists.screen("ethereum", _lines(ofac / "sanctioned_addresses_ETH.txt")[0]).sanctioned


def test_a_token_list_alone_covers_no_chain_but_still_hits(vault: Vault, ofac: Path) -> None:
    usdt = ofac / "sanctioned_addresses_USDT.txt"
    import_sanctions(vault, usdt, "USDT", list_date=DAY)
    lists = OfflineSanctions(vault)
    holder = next(a for a in _lines(usdt) if a.startswith("T"))
    assert lists.screen("tron", holder).sanctioned
    assert lists.screen("tron", TRON_CLEAN).status is Status.NOT_COVERED
    assert lists.screen("USDT", TRON_CLEAN).level is Level.NONE  # the USDT list covers USDT


def test_the_sdn_xml_covers_every_chain(vault: Vault, tmp_path: Path) -> None:
    import_sanctions(vault, write_sample(tmp_path / "sdn.xml"))
    lists = OfflineSanctions(vault)
    for chain, address in (("bitcoin", BTC), ("tron", TRON_CLEAN), ("LTC", "LNotListed")):
        assert lists.screen(chain, address).level is Level.NONE, chain


def test_not_covered_is_stored_and_suggests_nothing(vault: Vault, ofac: Path) -> None:
    import_sanctions(vault, ofac / "sanctioned_addresses_ETH.txt", "ETH", list_date=DAY)
    screening = Screening(vault)
    (found,) = screening.lookup([("bitcoin", BTC)])
    assert found.status == "not_covered"
    (stored,) = screening.history("bitcoin", BTC)
    assert stored.status is Status.NOT_COVERED and stored.level is Level.UNKNOWN
    suggestion = suggest_rating([stored])
    assert suggestion.rating is None and not suggestion.complete
    assert "not covered" in suggestion.reason


# --- an exact match is a hit, whatever asset it was filed under ----------------------


def _valid_on(address: str) -> list[str]:
    found = []
    for family, chain in CHAINS.items():
        try:
            normalize(chain, address)
        except AddressError:
            continue
        found.append(family)
    return found


def test_every_listed_address_valid_on_a_chain_is_a_hit_there(vault: Vault, ofac: Path) -> None:
    """Each plain list imported with its own asset: every entry that is a valid address
    on a chain we support is a sanctions hit on that chain, whatever the asset."""
    plain = sorted(ofac.glob("sanctioned_addresses_*.txt"))
    for path in plain:
        import_sanctions(vault, path, _asset(path), list_date=DAY)
    lists = OfflineSanctions(vault)
    checked = 0
    for path in plain:
        for address in _lines(path):
            for family in _valid_on(address):
                answer = lists.screen(CHAINS[family], address)
                assert answer.sanctioned, (path.name, address, family, answer)
                assert (answer.level, answer.score) == (Level.SEVERE, 100)
                assert answer.raw is not None
                assert _asset(path) in json.loads(answer.raw)["assets"]
                checked += 1
    assert checked > 600


def test_the_xbt_tron_address_is_a_hit_on_tron_with_its_asset_noted(
    vault: Vault, ofac: Path
) -> None:
    import_sanctions(vault, ofac / "sanctioned_addresses_XBT.txt", "XBT", list_date=DAY)
    tron = next(a for a in _lines(ofac / "sanctioned_addresses_XBT.txt") if a.startswith("T"))
    answer = OfflineSanctions(vault).screen("tron", tron)
    assert answer.sanctioned and answer.level is Level.SEVERE
    assert answer.categories == ("sanctions",)
    assert answer.raw is not None
    evidence = json.loads(answer.raw)
    assert evidence["assets"] == ["XBT"] and "listed under XBT" in evidence["note"]


# --- provenance: file name, hash, date ---------------------------------------------------


def test_a_plain_list_needs_a_stated_date(vault: Vault, ofac: Path) -> None:
    with pytest.raises(SanctionsImportError, match=r"no publication date.*--date"):
        import_sanctions(vault, ofac / "sanctioned_addresses_ETH.txt", "ETH")
    assert vault.conn.execute("SELECT count(*) FROM sanctions_lists").fetchone()[0] == 0


def test_the_xml_date_is_its_own(vault: Vault, tmp_path: Path) -> None:
    path = write_sample(tmp_path / "sdn.xml")
    with pytest.raises(SanctionsImportError, match="published on 2024-09-27, not on 2024-10-01"):
        import_sanctions(vault, path, list_date=date(2024, 10, 1))
    import_sanctions(vault, path, list_date=DAY)
    answer = OfflineSanctions(vault).screen("ethereum", ETH_A)
    (ref,) = list_refs(answer)
    assert (ref["list_date"], ref["date_from"], ref["label"]) == ("2024-09-27", "file", "OFAC SDN")


def test_every_answer_names_its_lists_file_hash_and_date(vault: Vault, ofac: Path) -> None:
    eth, xbt = ofac / "sanctioned_addresses_ETH.txt", ofac / "sanctioned_addresses_XBT.txt"
    import_sanctions(vault, eth, "ETH", list_date=DAY)
    import_sanctions(vault, xbt, "XBT", list_date=date(2024, 9, 20))
    lists = OfflineSanctions(vault)
    hit = lists.screen("bitcoin", _lines(xbt)[0])
    clean = lists.screen("ethereum", "0x" + "12" * 20)
    uncovered = lists.screen("tron", TRON_CLEAN)
    assert hit.source == "plain list sanctioned_addresses_XBT.txt (XBT)"
    assert hit.list_date == date(2024, 9, 20)
    assert clean.source == "plain list sanctioned_addresses_ETH.txt (ETH)"
    assert clean.list_date == DAY
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (eth, xbt)}
    for answer, names in ((hit, ["sanctioned_addresses_XBT.txt"]),
                          (clean, ["sanctioned_addresses_ETH.txt"]),
                          (uncovered, sorted(sha))):  # fmt: skip
        refs = list_refs(answer)
        assert sorted(r["file_name"] for r in refs) == names, answer
        for ref in refs:
            assert ref["sha256"] == sha[ref["file_name"]] and ref["date_from"] == "user"
    # Kept with the stored answer, so the history shows it too.
    Screening(vault).lookup([("ethereum", "0x" + "12" * 20)])
    (stored,) = Screening(vault).history("ethereum", normalize("ethereum", "0x" + "12" * 20))
    assert list_refs(stored)[0]["sha256"] == sha["sanctioned_addresses_ETH.txt"]


def test_an_older_vault_names_its_plain_lists_by_file(
    tmp_path: Path, no_keychain: Keychain
) -> None:
    path = tmp_path / "old.vault"
    made = create_vault(path, passphrase=PASSPHRASE, keychain=no_keychain)
    listed = tmp_path / "sanctioned_addresses_ETH.txt"
    listed.write_text(ETH_A + "\n")
    import_sanctions(made.vault, listed, "ETH", list_date=DAY)
    made.vault.close()
    # Back to schema 6, as a vault of the previous release holds it.
    conn = raw_connection(path)
    conn.execute("UPDATE sanctions_lists SET label = 'OFAC SDN (plain list)'")
    conn.execute("ALTER TABLE sanctions_lists DROP COLUMN date_from")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    # Only up to schema 7, the migration under test: the later ones' tables are still
    # there (only user_version went back), so running them again would fail.
    vault = open_vault(
        path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain, migrations=MIGRATIONS[:7]
    )
    try:
        assert vault.schema_version() == 7
        answer = OfflineSanctions(vault).screen("ethereum", ETH_A)
        assert answer.source == "plain list sanctioned_addresses_ETH.txt (ETH)"
        assert list_refs(answer)[0]["date_from"] is None  # not known for an older import
    finally:
        vault.close()


def test_a_newer_not_covered_replaces_an_older_answer_of_the_list(
    vault: Vault, tmp_path: Path, ofac: Path
) -> None:
    """A "none" given while a list covered the chain (or before coverage was checked)
    is not the list's word any more once a newer screening says it is not covered."""
    import_sanctions(vault, write_sample(tmp_path / "sdn.xml"))
    customer = CustomerBook(vault)
    with vault.transaction() as tx:
        customer_id, _ = customer.save_customer(tx, CustomerDraft(display_name="Coin Co"))
        customer.save_address(tx, customer_id, AddressDraft("bitcoin", BTC))
    screening = Screening(vault)
    screening.lookup([("bitcoin", BTC)])
    assert suggestion_for(vault, customer_id).rating == "low"
    remove_list(vault, "ofac-sdn")
    import_sanctions(vault, ofac / "sanctioned_addresses_ETH.txt", "ETH", list_date=DAY)
    screening.lookup([("bitcoin", BTC)])
    (latest,) = latest_per_provider(vault.conn, "bitcoin", BTC)
    assert latest.status is Status.NOT_COVERED
    suggestion = suggestion_for(vault, customer_id)
    assert suggestion.rating is None and not suggestion.complete
