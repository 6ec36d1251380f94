"""The offline sanctions list: import into a real vault, screen with no network.

Uses the real OFAC snapshot in shared/data/ofac (skipped if absent) and the
hand-written SDN advanced XML of tests/integrations/test_sanctions_xml.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.addresses import CHAINS, is_evm
from app.addresses.tron import to_hex
from app.screening.risk import Level, Status
from app.screening.sanctions import (
    OfflineSanctions,
    SanctionsImportError,
    SanctionsSnapshot,
    classify,
    import_sanctions,
    remove_list,
    screen_offline,
)
from tests.conftest import PASSPHRASE
from tests.integrations.test_sanctions_xml import (
    ETH_A,
    ETH_B,
    ETH_BAD_CHECKSUM,
    ETH_SHARED,
    TRON,
    XBT_BECH32,
    XMR,
    billion_laughs,
    sample_xml,
    write_sample,
)
from vault.events import verify_chain
from vault.keys import Keychain
from vault.migrations import LATEST
from vault.store import Vault
from vault.unlock import Credentials, create_vault, open_vault

# shared/ sits beside the repository (or beside the folder of worktrees).
OFAC = next(
    (
        p / "shared" / "data" / "ofac"
        for p in Path(__file__).resolve().parents[2].parents
        if (p / "shared" / "data" / "ofac").is_dir()
    ),
    Path("shared") / "data" / "ofac",
)
EVM_CHAINS = [c for c in CHAINS if is_evm(c)]
CLEAN_ETH = "0x000000000000000000000000000000000000dEaD"


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


@pytest.fixture
def real(vault: Vault, ofac: Path) -> OfflineSanctions:
    """A vault holding every real per-asset list."""
    for path in sorted(ofac.glob("sanctioned_addresses_*.txt")):
        import_sanctions(vault, path, list_date=date(2024, 9, 27))
    return OfflineSanctions(vault)


@pytest.fixture
def sdn(vault: Vault, tmp_path: Path) -> OfflineSanctions:
    """A vault holding the hand-written SDN advanced XML (published 2024-09-27)."""
    import_sanctions(vault, write_sample(tmp_path / "SDN_ADVANCED.XML"))
    return OfflineSanctions(vault)


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _chain_for(asset: str, address: str) -> str:
    if asset == "XBT":  # one XBT entry is a Tron address: a hit on Tron
        return "tron" if address.startswith("T") else "bitcoin"
    if asset == "TRX":
        return "tron"
    if asset in ("USDT", "USDC"):
        return (
            "ethereum" if address.startswith("0x") else "tron" if address[0] == "T" else "bitcoin"
        )
    return "ethereum" if asset in ("ETH", "ETC", "ARB", "BSC") else asset


# --- the schema -----------------------------------------------------------------


def test_a_new_vault_has_the_screening_tables(vault: Vault) -> None:
    assert vault.schema_version() == LATEST >= 3
    tables = {r[0] for r in vault.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sanctions_lists", "sanctions_addresses", "sanctions_parties"} <= tables
    assert {"screenings", "outbox"} <= tables
    columns = {r[1] for r in vault.conn.execute("PRAGMA table_info(outbox)")}
    assert columns == {
        "id", "kind", "key", "payload", "attempts", "next_attempt_at", "last_error",
        "created_at", "done_at",
    }  # fmt: skip


def test_a_risk_result_fits_the_screenings_table(sdn: OfflineSanctions) -> None:
    conn = sdn.vault.conn
    for result in (sdn.screen("ethereum", ETH_A), sdn.screen("ethereum", "0x12")):
        row = result.to_record()
        conn.execute(
            f"INSERT INTO screenings ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
    assert conn.execute("SELECT count(*) FROM screenings").fetchone()[0] == 2


def test_an_upgraded_schema1_vault_imports_and_screens(
    tmp_path: Path, no_keychain: Keychain
) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    for suffix in ("", ".header"):
        shutil.copy(fixtures / f"schema1.vault{suffix}", tmp_path / f"old.vault{suffix}")
    vault = open_vault(
        tmp_path / "old.vault", Credentials(passphrase="fixture passphrase"), keychain=no_keychain
    )
    try:
        assert vault.schema_version() == LATEST
        import_sanctions(vault, write_sample(tmp_path / "sdn.xml"))
        assert OfflineSanctions(vault).screen("base", ETH_A).sanctioned
        assert verify_chain(vault.conn).ok
    finally:
        vault.close()


# --- before any list ---------------------------------------------------------------


def test_a_new_vault_screens_but_asks_for_a_list(vault: Vault) -> None:
    answer = OfflineSanctions(vault).screen("ethereum", CLEAN_ETH)
    assert answer.status is Status.NOT_CONFIGURED and answer.level is Level.UNKNOWN
    assert answer.error is not None and "sanctions import" in answer.error


# --- the real lists -----------------------------------------------------------------


def test_real_list_counts(vault: Vault, ofac: Path) -> None:
    counts = {
        path.name: import_sanctions(vault, path, list_date=date(2024, 9, 27))
        for path in sorted(ofac.glob("sanctioned_addresses_*.txt"))
    }
    assert counts["sanctioned_addresses_ETH.txt"] == {"evm": 152, "invalid": 0, "total": 152}
    # One XBT entry is a Tron address: filed with the Tron addresses, still under XBT.
    assert counts["sanctioned_addresses_XBT.txt"] == {
        "bitcoin": 434, "invalid": 0, "total": 435, "tron": 1,
    }  # fmt: skip
    # Legacy Bitcoin Cash / SV addresses are Bitcoin addresses of the same key.
    assert counts["sanctioned_addresses_BCH.txt"]["bitcoin"] == 1
    assert counts["sanctioned_addresses_BSV.txt"]["bitcoin"] == 1
    # USDT holders on Ethereum, on Tron, and on Bitcoin (Omni).
    assert counts["sanctioned_addresses_USDT.txt"] == {
        "bitcoin": 7, "evm": 8, "invalid": 0, "total": 26, "tron": 11,
    }  # fmt: skip
    assert counts["sanctioned_addresses_XMR.txt"] == {"XMR": 3, "invalid": 0, "total": 3}
    assert counts["sanctioned_addresses_TRX.txt"] == {"invalid": 0, "total": 6, "tron": 6}


def test_every_real_address_hits_on_its_chain(real: OfflineSanctions, ofac: Path) -> None:
    for path in sorted(ofac.glob("sanctioned_addresses_*.txt")):
        asset = path.stem.rsplit("_", 1)[1]
        for address in _lines(path):
            answer = real.screen(_chain_for(asset, address), address)
            assert answer.sanctioned, (asset, address, answer)
            assert (answer.level, answer.score) == (Level.SEVERE, 100)
            assert answer.list_date == date(2024, 9, 27)
            assert f"plain list {path.name} ({asset})" in (answer.source or "")


def test_an_evm_hit_on_ethereum_hits_on_every_evm_chain(real: OfflineSanctions, ofac: Path) -> None:
    listed = _lines(ofac / "sanctioned_addresses_ETH.txt")[0]
    for chain in EVM_CHAINS:
        for typed in (listed, listed.lower(), "0X" + listed[2:].upper(), f"  {listed}\n"):
            answer = real.screen(chain, typed)
            assert answer.sanctioned and answer.chain == chain, (chain, typed)
    # Listed under BSC and ARB only, still a hit on ethereum and base.
    bsc_only = _lines(ofac / "sanctioned_addresses_BSC.txt")[0]
    assert real.screen("ethereum", bsc_only).sanctioned
    assert real.screen("base", bsc_only).sanctioned


def test_lowercase_input_finds_a_checksummed_entry(real: OfflineSanctions, ofac: Path) -> None:
    checksummed = next(a for a in _lines(ofac / "sanctioned_addresses_ETH.txt") if a != a.lower())
    answer = real.screen("ethereum", checksummed.lower())
    assert answer.sanctioned and answer.address == checksummed


def test_not_listed_is_level_none(real: OfflineSanctions) -> None:
    answer = real.screen("ethereum", CLEAN_ETH.lower())
    assert answer.ok and answer.level is Level.NONE and answer.score == 0
    assert not answer.sanctioned and answer.categories == ()
    assert answer.address == CLEAN_ETH  # validated and checksummed
    # Answered by the lists that cover ethereum: the EVM ones, each named by its file.
    assert answer.source is not None and "plain list sanctioned_addresses_ETH.txt (ETH)" in (
        answer.source
    )
    assert "XBT" not in answer.source and "USDT" not in answer.source
    assert answer.list_date == date(2024, 9, 27)


def test_bitcoin_and_tron_forms(real: OfflineSanctions, ofac: Path) -> None:
    xbt = _lines(ofac / "sanctioned_addresses_XBT.txt")
    bech32 = next(a for a in xbt if a.startswith("bc1"))
    assert real.screen("bitcoin", bech32.upper()).sanctioned
    legacy = next(a for a in xbt if a.startswith("1"))
    assert not real.screen("bitcoin", legacy.lower()).sanctioned  # Base58 is case-sensitive
    tron = _lines(ofac / "sanctioned_addresses_TRX.txt")[0]
    assert real.screen("tron", to_hex(tron)).sanctioned


def test_raw_assets_by_code_or_name(real: OfflineSanctions, ofac: Path) -> None:
    ltc = _lines(ofac / "sanctioned_addresses_LTC.txt")[0]
    for chain in ("LTC", "ltc", "litecoin"):
        assert real.screen(chain, ltc).sanctioned
    assert not real.screen("XMR", ltc).sanctioned  # listed, but not for Monero: see below
    assert real.screen("XMR", "4" + "B" * 94).level is Level.NONE


def test_a_listed_string_valid_on_the_screened_chain_is_a_hit_whatever_its_asset(
    real: OfflineSanctions, ofac: Path
) -> None:
    # Bitcoin Cash legacy addresses are Bitcoin addresses of the same key.
    bch = next(a for a in _lines(ofac / "sanctioned_addresses_BCH.txt") if a.startswith("1"))
    assert real.screen("bitcoin-cash", bch).sanctioned
    answer = real.screen("bitcoin", bch)
    assert answer.ok and answer.sanctioned
    assert (answer.level, answer.score, answer.categories) == (Level.SEVERE, 100, ("sanctions",))
    assert answer.raw is not None
    evidence = json.loads(answer.raw)
    assert evidence["assets"] == ["BCH"] and "listed under BCH" in evidence["note"]


def test_the_same_text_under_an_asset_we_cannot_check_is_high_not_sanctioned(
    real: OfflineSanctions, ofac: Path
) -> None:
    ltc = _lines(ofac / "sanctioned_addresses_LTC.txt")[0]
    answer = real.screen("XMR", ltc)
    assert answer.ok and not answer.sanctioned
    assert (answer.level, answer.categories) == (Level.HIGH, ("sanctions_other_asset",))


def test_the_tron_address_filed_under_xbt_is_a_hit_on_tron(real: OfflineSanctions) -> None:
    listed_under_xbt = "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"  # a Tron address in the XBT list
    on_tron = real.screen("tron", listed_under_xbt)
    assert on_tron.sanctioned and on_tron.level is Level.SEVERE
    assert on_tron.raw is not None and json.loads(on_tron.raw)["assets"] == ["XBT"]
    assert real.screen("XBT", listed_under_xbt).sanctioned  # as the list files it
    # Not a Bitcoin address at all: said so, not answered.
    assert real.screen("bitcoin", listed_under_xbt).status is Status.INVALID_ADDRESS


def test_bad_input(real: OfflineSanctions) -> None:
    typo = real.screen("ethereum", "0x12345")
    assert typo.status is Status.INVALID_ADDRESS and "expected 40" in (typo.error or "")
    assert real.screen("ethereum", "0x12345", validate=False).level is Level.NONE
    wrong_family = real.screen("tron", CLEAN_ETH)
    assert wrong_family.status is Status.INVALID_ADDRESS
    unknown = real.screen("no such chain", CLEAN_ETH)
    assert unknown.status is Status.UNSUPPORTED and "no such chain" in (unknown.error or "")


# --- the SDN XML ---------------------------------------------------------------------


def test_xml_hits_name_the_party_entry_and_publication(sdn: OfflineSanctions) -> None:
    answer = sdn.screen("polygon", ETH_A.lower())
    assert answer.sanctioned and answer.address == ETH_A
    assert answer.sanctioned_party == "EXAMPLE EXCHANGE, S.R.O."
    assert answer.source == "OFAC SDN" and answer.list_date == date(2024, 9, 27)
    assert answer.raw is not None
    evidence = json.loads(answer.raw)
    assert evidence["parties"] == [{"entry_id": "30001", "name": "EXAMPLE EXCHANGE, S.R.O."}]
    assert evidence["lists"][0]["file_name"] == "SDN_ADVANCED.XML"
    assert len(evidence["lists"][0]["sha256"]) == 64
    assert answer.raw_ref is not None and answer.raw_ref.startswith("sha256:")


def test_an_address_of_two_parties_names_both(sdn: OfflineSanctions) -> None:
    answer = sdn.screen("ethereum", ETH_SHARED)
    assert answer.sanctioned_party == "EXAMPLE EXCHANGE, S.R.O.; DOE John"
    assert sdn.screen("ethereum", ETH_B).sanctioned_party == "DOE John"


def test_xml_counts_and_event(vault: Vault, tmp_path: Path) -> None:
    counts = import_sanctions(vault, write_sample(tmp_path / "sdn.xml"))
    # ETH A, B, shared; XBT x2; TRON once for USDT and TRX; XMR; the bad checksum.
    assert counts == {"XMR": 1, "bitcoin": 2, "evm": 3, "invalid": 1, "total": 8, "tron": 1}
    (payload,) = [
        json.loads(p)
        for (p,) in vault.conn.execute(
            "SELECT payload FROM events WHERE type = 'sanctions.imported'"
        )
    ]
    assert payload["source"] == "ofac-sdn" and payload["list_date"] == "2024-09-27"
    assert payload["file_name"] == "sdn.xml" and payload["counts"] == counts
    assert payload["listed"] == {"ETH": 5, "TRX": 1, "USDT": 1, "XBT": 2, "XMR": 1}
    assert payload["replaced"] is None
    assert verify_chain(vault.conn).ok


def test_xml_assets_map_to_their_chains(sdn: OfflineSanctions) -> None:
    assert sdn.screen("bitcoin", XBT_BECH32).sanctioned
    assert sdn.screen("tron", TRON).sanctioned
    assert sdn.screen("USDT", TRON).sanctioned
    assert sdn.screen("XMR", XMR).sanctioned_party == "TRON BROKER LTD"
    # Kept as given (its checksum is wrong): matched as text on an EVM chain.
    assert sdn.screen("ethereum", ETH_BAD_CHECKSUM).sanctioned
    assert classify("ETH", ETH_BAD_CHECKSUM).valid is False


def test_a_zipped_xml_imports(vault: Vault, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "SDN_ADVANCED.ZIP"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("SDN_ADVANCED.XML", sample_xml())
    assert import_sanctions(vault, archive)["total"] == 8


# --- replacing, refusing ----------------------------------------------------------------


def _rows(vault: Vault) -> tuple[int, ...]:
    """Rows in the lists, addresses and parties tables."""
    return tuple(
        vault.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("sanctions_lists", "sanctions_addresses", "sanctions_parties")
    )


def test_reimport_replaces_not_duplicates(vault: Vault, tmp_path: Path) -> None:
    path = write_sample(tmp_path / "sdn.xml")
    import_sanctions(vault, path)
    before = _rows(vault)
    import_sanctions(vault, path)
    assert _rows(vault) == before == (1, 8, 9)
    # The next publication drops party 30001: its own addresses stop hitting.
    newer = tmp_path / "newer.xml"
    newer.write_text(sample_xml(day=30).replace('FeatureTypeID="345">', 'FeatureTypeID="9">', 1))
    import_sanctions(vault, newer)
    service = OfflineSanctions(vault)
    assert not service.screen("ethereum", ETH_A).sanctioned
    assert service.screen("ethereum", ETH_B).list_date == date(2024, 9, 30)
    events = [
        json.loads(p)
        for (p,) in vault.conn.execute(
            "SELECT payload FROM events WHERE type = 'sanctions.imported' ORDER BY rowid_"
        )
    ]
    assert len(events) == 3
    assert events[2]["replaced"]["list_date"] == "2024-09-27"


def test_an_older_publication_is_refused_unless_asked(vault: Vault, tmp_path: Path) -> None:
    import_sanctions(vault, write_sample(tmp_path / "sdn.xml"))
    older = write_sample(tmp_path / "older.xml", year=2023)
    with pytest.raises(SanctionsImportError, match="before the one in the vault"):
        import_sanctions(vault, older)
    assert OfflineSanctions(vault).screen("ethereum", ETH_A).list_date == date(2024, 9, 27)
    import_sanctions(vault, older, allow_older=True)
    assert OfflineSanctions(vault).screen("ethereum", ETH_A).list_date == date(2023, 9, 27)


@pytest.mark.parametrize(
    ("name", "content", "asset", "message"),
    [
        ("empty.txt", "# nothing yet\n", "ETH", "No digital-currency addresses"),
        ("wallets.txt", "0xabc\n", None, "say which asset"),
        ("cut.xml", sample_xml()[:4000], None, "not well-formed XML"),
        ("bomb.xml", billion_laughs(), None, "declares XML entities"),
        ("sdn.xml", sample_xml(), "ETH", "leave out --asset"),
        ("none.xml", sample_xml().replace("Digital Currency", "Digital Money"), None, "No digital"),
    ],
)
def test_a_refused_import_changes_nothing(
    sdn: OfflineSanctions, tmp_path: Path, name: str, content: str, asset: str | None, message: str
) -> None:
    vault = sdn.vault
    before, events = _rows(vault), vault.conn.execute("SELECT count(*) FROM events").fetchone()
    path = tmp_path / "bad" / name
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(SanctionsImportError, match=message) as refused:
        import_sanctions(vault, path, asset)
    assert str(refused.value).count(name) == 1  # the file is named once, by its name
    assert str(path.parent) not in str(refused.value)
    assert _rows(vault) == before
    assert vault.conn.execute("SELECT count(*) FROM events").fetchone() == events


def test_a_missing_file(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(SanctionsImportError, match="Cannot read"):
        import_sanctions(vault, tmp_path / "nope.xml")


def test_plain_list_asset_from_the_name_or_given(vault: Vault, tmp_path: Path) -> None:
    named = tmp_path / "sanctioned_addresses_ETH.txt"
    named.write_text(f"{ETH_A}\n")
    day = date(2024, 9, 27)
    assert import_sanctions(vault, named, list_date=day) == {"evm": 1, "invalid": 0, "total": 1}
    other = tmp_path / "desk-blocklist.txt"
    other.write_text(f"{TRON}\n")
    assert import_sanctions(vault, other, "trx", list_date=day) == {
        "invalid": 0, "total": 1, "tron": 1,
    }  # fmt: skip
    sources = [r[0] for r in vault.conn.execute("SELECT source FROM sanctions_lists ORDER BY 1")]
    assert sources == ["ofac-plain-ETH", "ofac-plain-TRX"]


def test_remove_a_list(sdn: OfflineSanctions) -> None:
    assert remove_list(sdn.vault, "ofac-sdn")
    assert not remove_list(sdn.vault, "ofac-sdn")
    assert _rows(sdn.vault) == (0, 0, 0)
    assert sdn.refresh().screen("ethereum", ETH_A).status is Status.NOT_CONFIGURED


# --- the snapshot and the ways in ------------------------------------------------------------


def test_the_snapshot_follows_imports(vault: Vault, tmp_path: Path) -> None:
    service = OfflineSanctions(vault)
    assert service.screen("ethereum", ETH_A).status is Status.NOT_CONFIGURED
    # Imported by another caller: the loaded snapshot is kept until refreshed.
    import_sanctions(vault, write_sample(tmp_path / "sdn.xml"))
    assert service.screen("ethereum", ETH_A).status is Status.NOT_CONFIGURED
    assert service.refresh().screen("ethereum", ETH_A).sanctioned
    # Through the service, the next look-up already sees the new list.
    other = tmp_path / "sanctioned_addresses_ETH.txt"
    other.write_text(f"{CLEAN_ETH}\n")
    service.import_file(other, list_date=date(2024, 10, 1))
    assert service.screen("ethereum", CLEAN_ETH).sanctioned
    service.forget()
    assert service.screen("ethereum", CLEAN_ETH).sanctioned  # reloaded on demand


def test_every_way_in_gives_the_same_answer(sdn: OfflineSanctions) -> None:
    vault = sdn.vault
    snapshot = SanctionsSnapshot.load(vault.conn)
    for chain, address in [
        ("bsc", ETH_SHARED.lower()),
        ("ethereum", CLEAN_ETH),
        ("XMR", XMR),
        ("tron", TRON),
        ("ethereum", "0xnope"),
    ]:
        answers = [
            screen_offline(way, chain, address) for way in (sdn, snapshot, vault, vault.conn)
        ]
        for answer in answers[1:]:
            assert answer.to_record() | {"fetched_at": None} == answers[0].to_record() | {
                "fetched_at": None
            }


def test_hits_of_a_whole_book(real: OfflineSanctions, ofac: Path) -> None:
    listed = _lines(ofac / "sanctioned_addresses_ETH.txt")[:3]
    book = [("ethereum", CLEAN_ETH)] * 100 + [("arbitrum", a.lower()) for a in listed]
    found = real.hits(book)
    assert [r.address for r in found] == listed
    assert all(r.sanctioned and r.chain == "arbitrum" for r in found)
    assert len(real.screen_many(book[:5])) == 5


def test_a_million_lookups_find_every_listed_one(real: OfflineSanctions, ofac: Path) -> None:
    """Correctness at volume; the speed is benchmarks/run.py's sanctions_1m_lookups."""
    snapshot = real.snapshot()
    listed = _lines(ofac / "sanctioned_addresses_ETH.txt")[0]
    sample = [("ethereum", f"0x{i:040x}") for i in range(999)] + [("bsc", listed)]
    lookups = sample * 1000
    hits = sum(1 for chain, address in lookups if snapshot.lookup(chain, address))
    assert hits == 1000
