"""Import: every row validated, rejects with line and reason, nothing twice, odd files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.book import tables
from app.book.importer import default_mapping, run_import
from app.book.mapping import Mapping, MappingError
from app.book.mapping import load as load_mapping
from app.book.service import CustomerBook
from tests.app.book.conftest import write
from vault.events import verify_chain

CUSTOMERS = (
    "external_id,name,kind,country,email,phone,tags\n"
    "C1,Jane Doe,individual,DE,jane@example.com,030 1234567,vip;otc\n"
    "C2,Acme Ltd,entity,GB,ops@acme.co.uk,+44 20 7946 0958,\n"
)
ADDRESSES = (
    "customer_external_id,chain,address,label\n"
    "C1,ethereum,0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed,hot wallet\n"
    "C2,ethereum,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,treasury\n"
    "C2,bitcoin,BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4,\n"
)


def _load(book: CustomerBook, tmp_path: Path) -> None:
    run_import(book, write(tmp_path / "c.csv", CUSTOMERS), default_mapping("customers"))


def test_customers_and_addresses_import_and_reimport(book: CustomerBook, tmp_path: Path) -> None:
    first = run_import(book, write(tmp_path / "c.csv", CUSTOMERS), default_mapping("customers"))
    assert first.counts() == {
        "added": 2,
        "unchanged": 0,
        "changed": 0,
        "rejected": 0,
        "conflicts": 0,
    }
    again = run_import(book, tmp_path / "c.csv", default_mapping("customers"))
    assert again.counts()["added"] == 0 and again.counts()["unchanged"] == 2
    addrs = run_import(book, write(tmp_path / "a.csv", ADDRESSES), default_mapping("addresses"))
    assert addrs.counts() == {
        "added": 3,
        "unchanged": 0,
        "changed": 0,
        "rejected": 0,
        "conflicts": 1,
    }
    conn = book.vault.conn
    stored = {r[0] for r in conn.execute("SELECT address FROM addresses")}
    assert "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" in stored  # checksummed
    assert "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" in stored  # bech32 lowercased
    assert conn.execute("SELECT count(*) FROM conflicts").fetchone()[0] == 1
    assert run_import(book, tmp_path / "a.csv", default_mapping("addresses")).counts()["added"] == 0
    assert verify_chain(conn).ok
    phones = [r[0] for r in conn.execute("SELECT value FROM contacts WHERE kind = 'phone'")]
    assert sorted(phones) == ["+442079460958", "+49301234567"]


def test_rejects_have_line_numbers_and_reasons(book: CustomerBook, tmp_path: Path) -> None:
    text = (
        "external_id,name,country,email\n"
        "A1,Good One,DE,good@example.com\n"
        "\n"
        'A2,"Multi\nLine Name",DE,\n'
        "A3,,DE,\n"
        "A4,Bad Country,XX,\n"
        "A5,Bad Mail,DE,nope\n"
        "A1,Good One,DE,good@example.com\n"
    )
    report = run_import(book, write(tmp_path / "c.csv", text), default_mapping("customers"))
    assert report.counts()["added"] == 2
    assert report.counts()["unchanged"] == 1  # the duplicate row
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejects] == [
        (6, "name"),
        (7, "country"),
        (8, "email"),
    ]
    rejects = tmp_path / "rejects.csv"
    report.save_rejects(rejects)
    back = tables.read(rejects)
    assert back.headers[:2] == ["line", "reason"]
    assert [row[0] for _, row in back.rows] == ["6", "7", "8"]


def test_address_rejects(book: CustomerBook, tmp_path: Path) -> None:
    _load(book, tmp_path)
    text = (
        "customer_external_id,chain,address\n"
        "C1,ethereum,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\n"
        "C9,ethereum,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n"
        "C1,solana,abc\n"
        "C1,tron,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n"
    )
    report = run_import(book, write(tmp_path / "a.csv", text), default_mapping("addresses"))
    reasons = [r.reason for r in report.rejects]
    assert "checksum" in reasons[0]
    assert "no customer with external id 'C9'" in reasons[1]
    assert "solana" in reasons[2]
    assert len(reasons) == 4
    assert book.vault.conn.execute("SELECT count(*) FROM addresses").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("gbk", ";"), ("utf-16", "\t"), ("cp1252", "|")],
)
def test_encodings_and_delimiters(
    book: CustomerBook, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    name = "张伟" if encoding in ("gbk", "utf-8-sig", "utf-16") else "Zoë Ångström"
    text = f"external_id{delimiter}name{delimiter}country\nX1{delimiter}{name}{delimiter}CN\n"
    # Not UTF-8 (nor UTF-16 with its BOM): the encoding is named, never guessed.
    named = None if encoding.startswith("utf") else encoding
    report = run_import(
        book, write(tmp_path / "c.csv", text, encoding), Mapping("customers", encoding=named)
    )
    assert report.counts()["added"] == 1, report.rejects
    stored = book.vault.conn.execute("SELECT display_name FROM customers").fetchone()[0]
    assert stored == name


def test_ten_thousand_columns(book: CustomerBook, tmp_path: Path) -> None:
    headers = ["external_id", "name"] + [f"extra{i}" for i in range(10_000)]
    row = ["W1", "Wide Row"] + ["x"] * 10_000
    text = ",".join(headers) + "\n" + ",".join(row) + "\n"
    report = run_import(book, write(tmp_path / "wide.csv", text), default_mapping("customers"))
    assert report.counts()["added"] == 1


def test_formula_cells_are_data_not_formulas(book: CustomerBook, tmp_path: Path) -> None:
    text = 'external_id,name\nF1,"=HYPERLINK(""http://evil"",""x"")"\nF2,@SUM(A1)\n'
    report = run_import(book, write(tmp_path / "c.csv", text), default_mapping("customers"))
    assert report.counts()["added"] == 2
    names = {r[0] for r in book.vault.conn.execute("SELECT display_name FROM customers")}
    assert '=HYPERLINK("http://evil","x")' in names


def test_xlsx_and_mapping_profile(book: CustomerBook, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client ID", "Full name", "Land"])
    sheet.append(["X1", "Xavier Example", "ES"])
    sheet.append([None, None, None])
    sheet.append(["X2", "Yolanda Example", "PT"])
    workbook.save(tmp_path / "c.xlsx")
    profile = Mapping(
        kind="customers",
        columns={"external_id": "Client ID", "name": "Full name", "country": "Land"},
    )
    profile.save(tmp_path / "profile.yaml")
    loaded = load_mapping(tmp_path / "profile.yaml", kind="customers")
    report = run_import(book, tmp_path / "c.xlsx", loaded)
    assert report.counts()["added"] == 2
    with pytest.raises(MappingError):
        load_mapping(tmp_path / "profile.yaml", kind="addresses")


def test_missing_column_is_a_file_error(book: CustomerBook, tmp_path: Path) -> None:
    with pytest.raises(MappingError) as err:
        run_import(book, write(tmp_path / "c.csv", "foo,bar\n1,2\n"), default_mapping("customers"))
    assert "name" in str(err.value)
    with pytest.raises(tables.TableError):
        run_import(book, tmp_path / "missing.csv", default_mapping("customers"))
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(tables.TableError):
        run_import(book, tmp_path / "bin.csv", default_mapping("customers"))


def test_cancel_keeps_only_whole_batches(book: CustomerBook, tmp_path: Path) -> None:
    from app.book import importer

    rows = "".join(f"K{i},Person {i},DE\n" for i in range(importer.BATCH["customers"] + 2_000))
    path = write(tmp_path / "big.csv", "external_id,name,country\n" + rows)

    class Stop(Exception):
        pass

    def progress(phase: str, done: int, total: int) -> None:
        if done >= importer.BATCH["customers"]:
            raise Stop

    with pytest.raises(Stop):
        run_import(book, path, default_mapping("customers"), progress=progress)
    count = book.vault.conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    assert count == importer.BATCH["customers"]
    events = book.vault.conn.execute(
        "SELECT count(*) FROM events WHERE type = 'customer.created'"
    ).fetchone()[0]
    assert events == count
    assert verify_chain(book.vault.conn).ok


def test_events_hold_no_personal_value_in_clear(book: CustomerBook, tmp_path: Path) -> None:
    _load(book, tmp_path)
    payloads = b"".join(bytes(r[0]) for r in book.vault.conn.execute("SELECT payload FROM events"))
    for secret in (b"Jane Doe", b"jane@example.com", b"+49301234567", b"Acme Ltd"):
        assert secret not in payloads
    created = json.loads(
        book.vault.conn.execute(
            "SELECT payload FROM events WHERE type = 'customer.created' ORDER BY rowid_ LIMIT 1"
        ).fetchone()[0]
    )
    assert created["values"]["display_name"].startswith("enc:v1:")
    assert created["values"]["country"] == "DE"


def test_a_field_can_be_left_out_even_if_a_column_has_its_name(
    book: CustomerBook, tmp_path: Path
) -> None:
    text = "external_id,name,email\nL1,Left Out,not-an-email\n"
    skip = Mapping(kind="customers", columns={"email": ""})
    report = run_import(book, write(tmp_path / "c.csv", text), skip)
    assert report.counts()["added"] == 1 and not report.rejects
    (tmp_path / "p.yaml").write_text("kind: customers\ncolumns:\n  email: null\n")
    assert load_mapping(tmp_path / "p.yaml").columns == {"email": ""}


def test_progress_reports_an_estimated_total(book: CustomerBook, tmp_path: Path) -> None:
    from app.book import importer

    rows = "".join(f"P{i},Person {i},DE\n" for i in range(15_000))
    path = write(tmp_path / "big.csv", "external_id,name,country\n" + rows)
    seen: list[tuple[int, int]] = []
    run_import(
        book, path, default_mapping("customers"), progress=lambda p, d, t: seen.append((d, t))
    )
    assert seen[-1][0] == 15_000
    first_done, first_total = seen[0]
    assert first_done == importer.BATCH["customers"]
    assert 12_000 <= first_total <= 18_000


@pytest.mark.parametrize("parallel", [False, True])
def test_an_address_of_a_rejected_customer_says_why(
    book: CustomerBook, tmp_path: Path, parallel: bool
) -> None:
    people = (
        "external_id,name,country,phone\n"
        "C-001,Ann,DE,030 1234567\n"
        "C-002,Bob,DE,\n"
        "C-003,Cy,DE,\n"
        "C-004,Dee,+4930 1234567,\n"  # columns shifted: a phone in the country
        "C-005,Eve,DE,12345\n"
    )
    source = write(tmp_path / "people.csv", people)
    customers = run_import(book, source, default_mapping("customers"), parallel=parallel)
    assert [(r.line, r.reason.split(":")[0]) for r in customers.rejects] == [
        (5, "country"),
        (6, "phone"),
    ]
    wallets = (
        "customer_external_id,chain,address\n"
        "C-005,ethereum,0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n"
        "C-005,bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\n"
        "C-004,tron,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n"
        "C-009,ethereum,0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n"
        "C-001,ethereum,0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n"
    )
    report = run_import(book, write(tmp_path / "w.csv", wallets), default_mapping("addresses"))
    reasons = [r.reason for r in report.rejects]
    assert report.counts()["added"] == 1 and len(reasons) == 4
    for reason in reasons[:2]:
        assert "customer C-005 was rejected on line 6 of people.csv (phone: not a valid" in reason
        assert "12345" not in reason  # not in the address file: no value of the other file
    assert "customer C-004 was rejected on line 5 of people.csv (country: " in reasons[2]
    assert "4930" not in reasons[2]
    assert "no customer with external id 'C-009'" in reasons[3]

    # Fixed and imported again: the addresses go in, and only C-004 is still explained.
    fixed = people.replace("DE,12345", "DE,030 7654321")
    run_import(book, write(tmp_path / "people.csv", fixed), default_mapping("customers"))
    again = run_import(book, tmp_path / "w.csv", default_mapping("addresses"))
    assert again.counts()["added"] == 2
    assert [r.line for r in again.rejects] == [4, 5]
    assert "rejected on line 5" in again.rejects[0].reason
