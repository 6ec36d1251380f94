"""Property-based fuzzing of every file a user opens: customer and address imports (CSV
and XLSX), import mappings, the approvals policy, custom field definitions, price files,
sanctions lists (plain, SDN CSV, SDN XML, sdn.csv names with alt.csv) and desk
invitations. Each one is read or refused with its own error and a message; nothing
else escapes, and nothing runs long (hypothesis' deadline)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.approvals import policy
from app.book import custom_fields, mapping, tables
from app.book.importer import default_mapping, run_import
from app.book.mapping import FIELDS, MappingError
from app.book.models import ValidationError
from app.book.service import CustomerBook
from app.prices.csv_file import PriceFileError, read_prices
from app.screening.sanctions import SanctionsImportError, import_sanctions
from app.screening.sanctions.parties import read_parties
from app.sync.invite import InvitationError, open_invitation
from integrations.sanctions.records import SanctionsFormatError
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

#: a few dozen examples each in the suite; FUZZ_EXAMPLES=2000 (random) hunts for more
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="FUZZ_EXAMPLES" not in os.environ,
)

# Cells: what a counterparty's spreadsheet holds, hostile parts included.
cell_text = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["=1+1", "@SUM(A1)", "0x" + "ab" * 20, "ethereum", "1e400", "NaN", "", " "]),
    st.text(alphabet="\"',;\t\r\n|\\", max_size=6),
)
headers_st = st.lists(
    st.one_of(st.sampled_from([*FIELDS["customers"], *FIELDS["addresses"]]), cell_text),
    min_size=1,
    max_size=7,
)


@pytest.fixture(scope="module")
def vault() -> Iterator[Vault]:
    from keyring.backends import fail

    with tempfile.TemporaryDirectory() as folder:
        made = create_vault(
            Path(folder) / "fuzz.vault", passphrase=PASSPHRASE, keychain=Keychain(fail.Keyring())
        )
        yield made.vault
        made.vault.close()


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as made:
        yield Path(made)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _refused_clearly(exc: BaseException) -> None:
    """A refusal is for a person: a message, no Python repr, never the whole input."""
    message = str(exc)
    assert message.strip(), f"{type(exc).__name__} without a message"
    assert "Traceback" not in message and "object at 0x" not in message
    assert len(message) < 4000, "a message quoting too much of the input"


def _csv(headers: list[str], rows: list[list[str]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


@FUZZ
@given(
    kind=st.sampled_from(["customers", "addresses"]),
    headers=headers_st,
    rows=st.lists(st.lists(cell_text, max_size=8), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    raw=st.one_of(st.none(), st.binary(max_size=300)),
)
def test_a_csv_import_is_read_or_refused(
    vault: Vault,
    folder: Path,
    kind: str,
    headers: list[str],
    rows: list[list[str]],
    delimiter: str,
    raw: bytes | None,
) -> None:
    data = raw if raw is not None else _csv(headers, rows, delimiter)
    path = _write(folder, "book.csv", data)
    try:
        report = run_import(CustomerBook(vault), path, default_mapping(kind), parallel=False)
    except (tables.TableError, MappingError) as exc:
        _refused_clearly(exc)
        return
    assert report.rejected <= len(rows) + data.count(b"\n") + 1


xlsx_cell = st.one_of(
    cell_text,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
)


def _xlsx(headers: list[Any], rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [headers, *rows]:
        sheet.append([_storable(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _storable(value: Any) -> Any:
    # openpyxl refuses control characters in strings and infinite numbers itself.
    if isinstance(value, str):
        return "".join(c for c in value if c >= " " or c in "\t\n\r")
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    return value


@FUZZ
@given(
    kind=st.sampled_from(["customers", "addresses"]),
    headers=st.lists(st.one_of(st.sampled_from(FIELDS["customers"]), xlsx_cell), max_size=6),
    rows=st.lists(st.lists(xlsx_cell, max_size=7), max_size=5),
    damage=st.one_of(
        st.none(), st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=4))
    ),
)
def test_an_xlsx_import_is_read_or_refused(
    vault: Vault,
    folder: Path,
    kind: str,
    headers: list[Any],
    rows: list[list[Any]],
    damage: tuple[int, bytes] | None,
) -> None:
    data = _xlsx(headers, rows)
    if damage is not None:
        at, junk = damage
        at %= len(data)
        data = data[:at] + junk + data[at + len(junk) :]
    path = _write(folder, "book.xlsx", data)
    try:
        run_import(CustomerBook(vault), path, default_mapping(kind), parallel=False)
    except (tables.TableError, MappingError) as exc:
        _refused_clearly(exc)


@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(
            [
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
                "[Content_Types].xml",
                "xl/sharedStrings.xml",
                "x",
            ]
        ),
        st.binary(max_size=200),
        max_size=4,
    )
)
def test_a_zip_that_is_no_workbook_is_refused(
    vault: Vault, folder: Path, members: dict[str, bytes]
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as made:
        for name, body in members.items():
            made.writestr(name, body)
    path = _write(folder, "zip.xlsx", out.getvalue())
    try:
        run_import(CustomerBook(vault), path, default_mapping("customers"), parallel=False)
    except (tables.TableError, MappingError) as exc:
        _refused_clearly(exc)


# YAML documents: random structures, dumped, and raw text.
yaml_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.dates()
)
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _doc(keys: list[str]) -> st.SearchStrategy[str]:
    shaped = st.dictionaries(st.sampled_from(keys), yaml_value, max_size=len(keys))
    dumped = st.one_of(shaped, yaml_value).map(lambda d: yaml.safe_dump(d, allow_unicode=True))
    return st.one_of(dumped, st.text(max_size=200))


@FUZZ
@given(
    text=_doc(["kind", "columns", "encoding", "delimiter", "sheet"]),
    kind=st.sampled_from([None, "customers", "addresses"]),
)
def test_a_mapping_is_read_or_refused(folder: Path, text: str, kind: str | None) -> None:
    path = _write(folder, "mapping.yaml", text.encode("utf-8", "surrogatepass"))
    try:
        mapping.load(path, kind=kind)
    except MappingError as exc:
        _refused_clearly(exc)


def _policy_variants() -> st.SearchStrategy[str]:
    lines = policy.default_text().splitlines()

    @st.composite
    def changed(draw: st.DrawFn) -> str:
        out = list(lines)
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(out) - 1))
            head, sep, _ = out[i].partition(":")
            value = draw(
                st.one_of(
                    yaml_scalar.map(lambda v: yaml.safe_dump(v).split("\n")[0]),
                    st.text(max_size=10),
                )
            )
            out[i] = f"{head}{sep or ':'} {value}"
        return "\n".join(out)

    return st.one_of(changed(), _doc(["tiers", "screening", "valuation", "roles", "version"]))


@FUZZ
@given(text=_policy_variants())
def test_a_policy_is_read_or_refused(text: str) -> None:
    try:
        policy.parse(text)
    except policy.PolicyError as exc:
        _refused_clearly(exc)


field_item = st.dictionaries(
    st.sampled_from(["name", "type", "choices", "label", "required", "x"]), yaml_value, max_size=5
)


@FUZZ
@given(
    text=st.one_of(
        st.lists(field_item, max_size=3).map(lambda f: yaml.safe_dump({"fields": f})),
        _doc(["fields"]),
    )
)
def test_custom_fields_are_read_or_refused(vault: Vault, text: str) -> None:
    try:
        custom_fields.from_yaml(CustomerBook(vault), text)
    except ValidationError as exc:
        _refused_clearly(exc)


price_cell = st.one_of(
    cell_text,
    st.sampled_from(
        ["ETH", "USD", "2026-01-01", "2026-01-01T00:00:00Z", "1.5", "-1", "0", "1e999999"]
    ),
)


@FUZZ
@given(
    header=st.one_of(
        st.just(["asset", "currency", "price", "as_of"]), st.lists(cell_text, max_size=5)
    ),
    rows=st.lists(st.lists(price_cell, max_size=5), max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_a_price_file_is_read_or_refused(
    header: list[str], rows: list[list[str]], raw: bytes | None
) -> None:
    data = raw if raw is not None else _csv(header, rows, ",")
    try:
        read_prices(data, name="prices.csv", source="fuzz", now=datetime.now(UTC))
    except PriceFileError as exc:
        _refused_clearly(exc)


def _sanctions_import(vault: Vault) -> Callable[..., Any]:
    def run(path: Path, **kwargs: Any) -> None:
        try:
            import_sanctions(vault, path, **kwargs)
        except (SanctionsImportError, OSError) as exc:
            _refused_clearly(exc)

    return run


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            cell_text, st.sampled_from(["0x" + "12" * 20, "# comment", "bc1qxyz", "T" + "a" * 33])
        ),
        max_size=8,
    ),
    asset=st.sampled_from(["ETH", "XBT", "TRX", "USDT", "", "éé"]),
)
def test_a_plain_sanctions_list_is_read_or_refused(
    vault: Vault, folder: Path, lines: list[str], asset: str
) -> None:
    path = _write(folder, "list.txt", "\n".join(lines).encode("utf-8", "surrogatepass"))
    _sanctions_import(vault)(path, asset=asset or None, list_date=date(2026, 1, 1))


SDN_HEAD = [
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
]
remarks = st.one_of(
    cell_text,
    st.builds(
        lambda asset, address, tail: f"Digital Currency Address - {asset} {address}; {tail}",
        st.sampled_from(["ETH", "XBT", "USDT", "TRX", "XYZ", ""]),
        st.one_of(
            st.sampled_from(["0x" + "34" * 20, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]), cell_text
        ),
        cell_text,
    ),
)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.integers(0, 99999).map(str), cell_text),
            cell_text,
            st.sampled_from(["individual", "-0-", "entity", ""]),
            remarks,
        ),
        max_size=5,
    ),
    aliases=st.one_of(st.none(), st.lists(st.lists(cell_text, min_size=0, max_size=6), max_size=4)),
)
def test_sdn_csv_with_names_is_read_or_refused(
    vault: Vault,
    folder: Path,
    rows: list[tuple[str, str, str, str]],
    aliases: list[list[str]] | None,
) -> None:
    # The published sdn.csv has no header; some copies have one.
    body = [
        [n, name, kind, "CYBER2", "-0-", "-0-", "-0-", "-0-", "-0-", "-0-", "-0-", r]
        for n, name, kind, r in rows
    ]
    data = _csv(SDN_HEAD, body, ",")
    path = _write(folder, "sdn.csv", data)
    alt = None
    if aliases is not None:
        alt = _write(
            folder,
            "alt.csv",
            _csv(["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"], aliases, ","),
        )
    try:
        read_parties(path, alt)
    except (SanctionsFormatError, OSError) as exc:
        _refused_clearly(exc)
    _sanctions_import(vault)(path, aliases=alt)


xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@st.composite
def _sdn_xml(draw: st.DrawFn) -> bytes:
    """Pieces of the SDN advanced XML's shape, shuffled, cut and filled at random."""
    tags = [
        "Sanctions",
        "DateOfIssue",
        "Year",
        "Month",
        "Day",
        "ReferenceValueSets",
        "FeatureTypeValues",
        "FeatureType",
        "DistinctParties",
        "DistinctParty",
        "Profile",
        "Feature",
        "FeatureVersion",
        "VersionDetail",
        "Identity",
        "Alias",
        "DocumentedName",
    ]

    def element(depth: int) -> str:
        tag = draw(st.sampled_from(tags))
        names = [draw(st.sampled_from(["ID", "FeatureTypeID", "xmlns"])) for _ in range(2)]
        values = [draw(xml_text).replace('"', "") for _ in names]
        attrs = "".join(
            f' {n}="{v}"'
            for n, v in list(zip(names, values, strict=True))[: draw(st.integers(0, 2))]
        )
        inner = (
            "" if depth > 3 else "".join(element(depth + 1) for _ in range(draw(st.integers(0, 3))))
        )
        text = draw(xml_text).replace("<", "").replace("&", "")
        return f"<{tag}{attrs}>{text}{inner}</{tag}>"

    doc = '<?xml version="1.0" encoding="utf-8"?>' + element(0)
    data = doc.encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@FUZZ
@given(
    data=st.one_of(_sdn_xml(), st.binary(max_size=300).map(lambda b: b"<?xml version='1.0'?>" + b)),
    zipped=st.booleans(),
)
def test_sdn_xml_is_read_or_refused(vault: Vault, folder: Path, data: bytes, zipped: bool) -> None:
    if zipped:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as made:
            made.writestr("SDN_ADVANCED.XML", data)
        path = _write(folder, "SDN_ADVANCED.ZIP", out.getvalue())
    else:
        path = _write(folder, "SDN_ADVANCED.XML", data)
    _sanctions_import(vault)(path)


@FUZZ
@given(data=st.binary(max_size=400), code=st.text(max_size=40))
def test_an_invitation_file_is_opened_or_refused(data: bytes, code: str) -> None:
    try:
        open_invitation(data, code, now=datetime.now(UTC))
    except InvitationError as exc:
        _refused_clearly(exc)
