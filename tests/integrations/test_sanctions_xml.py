"""The SDN advanced XML parser, on a small hand-written file that follows the format
described in shared/reference/ofac-sdn.md (parties, features, reference values, date).

`sample_xml()` is also the input of the importer tests in tests/app.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from app.addresses import segwit
from app.addresses.base58 import b58check_encode
from app.addresses.evm import to_checksum_address
from integrations.sanctions import (
    ListedAddress,
    SanctionsFormatError,
    iter_list,
    iter_sdn_advanced,
    sniff,
)
from integrations.sanctions.sdn_xml import issue_date_of

NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"
OLD_NS = "http://www.un.org/sanctions/1.0"

# Valid, made-up addresses (the parties below are fictional too).
ETH_A = to_checksum_address(bytes.fromhex("a1" * 20))
ETH_B = to_checksum_address(bytes.fromhex("b2" * 20))
ETH_SHARED = to_checksum_address(bytes.fromhex("c3" * 20))
_TYPO = to_checksum_address(bytes.fromhex("5d" * 20))
ETH_BAD_CHECKSUM = _TYPO[:3] + _TYPO[3].swapcase() + _TYPO[4:]  # one letter's case flipped
XBT_BECH32 = segwit.encode("bc", version=0, program=bytes(range(20)))
XBT_LEGACY = b58check_encode(b"\x00" + bytes(range(1, 21)))
TRON = b58check_encode(b"\x41" + bytes.fromhex("44" * 20))
XMR = "4" + "A" * 94


def _feature(feature_id: int, type_id: int, value: str) -> str:
    return f"""
        <Feature ID="{feature_id}" FeatureTypeID="{type_id}">
          <FeatureVersion ID="{feature_id + 5000}" ReliabilityID="1560">
            <Comment />
            <VersionDetail DetailTypeID="1432">{value}</VersionDetail>
          </FeatureVersion>
          <IdentityReference IdentityID="{feature_id + 9000}" IdentityFeatureLinkTypeID="1" />
        </Feature>"""


def _alias(primary: bool, *parts: str, alias_type: int = 1403) -> str:
    named = "".join(
        f"""
                <DocumentedNamePart>
                  <NamePartValue NamePartGroupID="{i}" ScriptID="215" ScriptStatusID="1" """
        f"""Acronym="false">{part}</NamePartValue>
                </DocumentedNamePart>"""
        for i, part in enumerate(parts, start=1)
    )
    return f"""
            <Alias FixedRef="0" AliasTypeID="{alias_type}" Primary="{str(primary).lower()}" \
LowQuality="false">
              <DocumentedName ID="1" FixedRef="0" DocNameStatusID="1">{named}
              </DocumentedName>
            </Alias>"""


def _party(fixed_ref: str, aliases: str, features: str) -> str:
    return f"""
    <DistinctParty FixedRef="{fixed_ref}">
      <Comment />
      <Profile ID="{fixed_ref}" PartySubTypeID="3">
        <Identity ID="{fixed_ref}1" FixedRef="{fixed_ref}" Primary="true" False="false">{aliases}
          <NamePartGroups>
            <MasterNamePartGroup>
              <NamePartGroup ID="1" NamePartTypeID="1520" />
            </MasterNamePartGroup>
          </NamePartGroups>
        </Identity>{features}
      </Profile>
    </DistinctParty>"""


def sample_xml(
    *, namespace: str | None = NS, year: int = 2024, month: int = 9, day: int = 27
) -> str:
    """A small SDN advanced file: five parties, eight address features, other features."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    parties = "".join(
        [
            _party(
                "30001",
                _alias(False, "EXAMPLE OTC DESK", alias_type=1400)
                + _alias(True, "EXAMPLE EXCHANGE, S.R.O."),
                _feature(1, 345, ETH_A)
                + _feature(2, 344, XBT_BECH32)
                + _feature(3, 14, "www.example-exchange.test")
                + _feature(4, 345, ETH_SHARED),
            ),
            _party(
                "30002",
                _alias(True, "DOE", "John"),
                _feature(10, 8, "1980")
                + _feature(11, 345, ETH_B.lower())
                + _feature(12, 345, ETH_SHARED.lower())
                + _feature(13, 344, XBT_LEGACY),
            ),
            # A party with no digital-currency address at all.
            _party("30003", _alias(True, "NO WALLET TRADING LLC"), _feature(20, 8, "1975")),
            _party(
                "30004",
                _alias(True, "TRON BROKER LTD"),
                _feature(30, 887, TRON) + _feature(31, 566, XMR) + _feature(32, 1020, TRON),
            ),
            _party("30005", _alias(True, "TYPO HOLDINGS"), _feature(40, 345, ETH_BAD_CHECKSUM)),
        ]
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns:xsd="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{xmlns}>
  <DateOfIssue>
    <Year>{year}</Year>
    <Month>{month}</Month>
    <Day>{day}</Day>
  </DateOfIssue>
  <ReferenceValueSets>
    <AliasTypeValues>
      <AliasType ID="1400">A.K.A.</AliasType>
      <AliasType ID="1403">Name</AliasType>
    </AliasTypeValues>
    <FeatureTypeValues>
      <FeatureType ID="8" FeatureTypeGroupID="1">Birthdate</FeatureType>
      <FeatureType ID="14" FeatureTypeGroupID="1">Website</FeatureType>
      <FeatureType ID="344" FeatureTypeGroupID="1">Digital Currency Address - XBT</FeatureType>
      <FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>
      <FeatureType ID="566" FeatureTypeGroupID="1">Digital Currency Address - XMR</FeatureType>
      <FeatureType ID="887" FeatureTypeGroupID="1">Digital Currency Address - USDT</FeatureType>
      <FeatureType ID="1020" FeatureTypeGroupID="1">Digital Currency Address - TRX</FeatureType>
    </FeatureTypeValues>
  </ReferenceValueSets>
  <Locations>
    <Location ID="100">
      <LocationCountry CountryID="11" CountryRelevanceID="1" />
    </Location>
  </Locations>
  <DistinctParties>{parties}
  </DistinctParties>
  <SanctionsEntries>
    <SanctionsEntry ID="1" ProfileID="30001" ListID="1550">
      <EntryEvent ID="1" EntryEventTypeID="1" LegalBasisID="1">
        <Date CalendarTypeID="1"><Year>2021</Year><Month>9</Month><Day>21</Day></Date>
      </EntryEvent>
    </SanctionsEntry>
  </SanctionsEntries>
</Sanctions>
"""


def write_sample(path: Path, **options: object) -> Path:
    path.write_text(sample_xml(**options), encoding="utf-8")  # type: ignore[arg-type]
    return path


def test_every_address_feature_with_its_party_entry_and_date(tmp_path: Path) -> None:
    found = list(iter_sdn_advanced(write_sample(tmp_path / "SDN_ADVANCED.XML")))
    when = date(2024, 9, 27)
    assert found == [
        ListedAddress("ETH", ETH_A, "EXAMPLE EXCHANGE, S.R.O.", "30001", when),
        ListedAddress("XBT", XBT_BECH32, "EXAMPLE EXCHANGE, S.R.O.", "30001", when),
        ListedAddress("ETH", ETH_SHARED, "EXAMPLE EXCHANGE, S.R.O.", "30001", when),
        ListedAddress("ETH", ETH_B.lower(), "DOE John", "30002", when),
        ListedAddress("ETH", ETH_SHARED.lower(), "DOE John", "30002", when),
        ListedAddress("XBT", XBT_LEGACY, "DOE John", "30002", when),
        ListedAddress("USDT", TRON, "TRON BROKER LTD", "30004", when),
        ListedAddress("XMR", XMR, "TRON BROKER LTD", "30004", when),
        ListedAddress("TRX", TRON, "TRON BROKER LTD", "30004", when),
        ListedAddress("ETH", ETH_BAD_CHECKSUM, "TYPO HOLDINGS", "30005", when),
    ]


def test_non_address_features_are_ignored(tmp_path: Path) -> None:
    found = list(iter_sdn_advanced(write_sample(tmp_path / "sdn.xml")))
    values = {f.address for f in found}
    assert "www.example-exchange.test" not in values and "1980" not in values
    assert "NO WALLET TRADING LLC" not in {f.party for f in found}


@pytest.mark.parametrize("namespace", [NS, OLD_NS, None])
def test_current_older_and_no_namespace(tmp_path: Path, namespace: str | None) -> None:
    found = list(iter_sdn_advanced(write_sample(tmp_path / "sdn.xml", namespace=namespace)))
    assert len(found) == 10
    assert found[0].party == "EXAMPLE EXCHANGE, S.R.O."


def test_feature_type_ids_are_looked_up_by_text(tmp_path: Path) -> None:
    # The IDs change between publications: give ETH's ID to XBT and the assets follow.
    text = (
        sample_xml()
        .replace("Address - XBT", "Address - tmp")
        .replace("Address - ETH", "Address - XBT")
    )
    text = text.replace("Address - tmp", "Address - ETH")
    path = tmp_path / "sdn.xml"
    path.write_text(text)
    first = next(iter_sdn_advanced(path))
    assert (first.asset, first.address) == ("XBT", ETH_A)


def test_reads_from_a_stream_and_from_a_zip(tmp_path: Path) -> None:
    data = sample_xml().encode()
    assert len(list(iter_sdn_advanced(io.BytesIO(data)))) == 10
    archive = tmp_path / "SDN_ADVANCED.ZIP"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("SDN_ADVANCED.XML", data)
    assert sniff(archive) == "zip"
    assert len(list(iter_list(archive))) == 10


def test_truncated_download_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(sample_xml()[:3000])
    with pytest.raises(SanctionsFormatError, match=r"not well-formed XML \(line \d+"):
        list(iter_sdn_advanced(path))


def billion_laughs() -> str:
    """Nine levels of ten references each: 10**9 "lol"s once expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE Sanctions [{"".join(levels)}]>'
        f'<Sanctions xmlns="{NS}"><DateOfIssue>&lol9;</DateOfIssue></Sanctions>'
    )


def test_an_entity_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(billion_laughs())
    with pytest.raises(SanctionsFormatError, match=r"declares XML entities.*refused"):
        list(iter_sdn_advanced(path))
    assert issue_date_of(path) is None


def test_another_xml_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text('<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>')
    with pytest.raises(SanctionsFormatError, match="root element is <sdnList>"):
        list(iter_sdn_advanced(path))


def test_parties_before_feature_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(
        '<Sanctions><DistinctParties><DistinctParty FixedRef="1"/></DistinctParties></Sanctions>'
    )
    with pytest.raises(SanctionsFormatError, match="before the feature types"):
        list(iter_sdn_advanced(path))


def test_bad_publication_date(tmp_path: Path) -> None:
    path = write_sample(tmp_path / "sdn.xml", month=2, day=30)
    with pytest.raises(SanctionsFormatError, match="not a date: 2024-2-30"):
        list(iter_sdn_advanced(path))


def test_an_unexpected_asset_label_is_kept_as_written(tmp_path: Path) -> None:
    text = sample_xml().replace(
        "Digital Currency Address - XMR", "Digital Currency Address - XMR (old)"
    )
    path = tmp_path / "sdn.xml"
    path.write_text(text)
    assets = {f.asset for f in iter_sdn_advanced(path)}
    assert "XMR (old)" in assets


def test_asset_option_is_for_plain_lists_only(tmp_path: Path) -> None:
    path = write_sample(tmp_path / "sdn.xml")
    with pytest.raises(SanctionsFormatError, match="leave out --asset"):
        list(iter_list(path, asset="ETH"))
