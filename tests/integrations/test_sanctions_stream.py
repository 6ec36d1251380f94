"""The SDN parser streams: its memory does not grow with the file (the real one is ~100 MB).

Peak memory (tracemalloc) is measured for a small file and for a generated 50 MB
one: it stays at the size of one party.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from app.addresses.evm import to_checksum_address
from integrations.sanctions import iter_sdn_advanced

NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"

HEAD = f"""<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="{NS}">
  <DateOfIssue><Year>2026</Year><Month>1</Month><Day>15</Day></DateOfIssue>
  <ReferenceValueSets>
    <FeatureTypeValues>
      <FeatureType ID="8" FeatureTypeGroupID="1">Birthdate</FeatureType>
      <FeatureType ID="14" FeatureTypeGroupID="1">Website</FeatureType>
      <FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>
    </FeatureTypeValues>
  </ReferenceValueSets>
"""

LOCATION = """    <Location ID="{i}">
      <LocationPart ID="{i}" LocPartTypeID="1451"><LocationPartValue Primary="true">
        <Value>{i} Example Street, Example City, Example Country</Value>
      </LocationPartValue></LocationPart>
    </Location>
"""

FEATURE = """        <Feature ID="{fid}" FeatureTypeID="{type_id}">
          <FeatureVersion ID="{fid}" ReliabilityID="1560">
            <Comment />
            <VersionDetail DetailTypeID="1432">{value}</VersionDetail>
          </FeatureVersion>
          <IdentityReference IdentityID="{i}" IdentityFeatureLinkTypeID="1" />
        </Feature>
"""

PARTY = """    <DistinctParty FixedRef="{i}">
      <Comment />
      <Profile ID="{i}" PartySubTypeID="3">
        <Identity ID="{i}" FixedRef="{i}" Primary="true" False="false">
          <Alias FixedRef="{i}" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="{i}" FixedRef="{i}" DocNameStatusID="1">
              <DocumentedNamePart>
                <NamePartValue NamePartGroupID="{i}" ScriptID="215" ScriptStatusID="1" \
Acronym="false">PARTY NUMBER {i}</NamePartValue>
              </DocumentedNamePart>
            </DocumentedName>
          </Alias>
        </Identity>
{features}      </Profile>
    </DistinctParty>
"""

ENTRY = """    <SanctionsEntry ID="{i}" ProfileID="{i}" ListID="1550">
      <EntryEvent ID="{i}" EntryEventTypeID="1" LegalBasisID="1">
        <Date CalendarTypeID="1"><Year>2020</Year><Month>1</Month><Day>1</Day></Date>
      </EntryEvent>
    </SanctionsEntry>
"""


def write_large_sdn(path: Path, size: int) -> int:
    """An SDN advanced file of about `size` bytes; returns how many addresses it lists.

    Every 10th party has two ETH addresses; every party has non-address features;
    locations and sanctions entries take their share of the file as in the real one.
    """
    addresses = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        out.write("  <Locations>\n")
        i = 0
        while out.tell() < size // 5:
            i += 1
            out.write(LOCATION.format(i=i))
        out.write("  </Locations>\n  <DistinctParties>\n")
        i = 0
        while out.tell() < size * 4 // 5:
            i += 1
            features = FEATURE.format(fid=i * 10, type_id=8, value="1970", i=i)
            features += FEATURE.format(fid=i * 10 + 1, type_id=14, value=f"www.p{i}.test", i=i)
            if i % 10 == 0:
                for k in (2, 3):
                    raw = (i * 10 + k).to_bytes(20, "big")
                    features += FEATURE.format(
                        fid=i * 10 + k, type_id=345, value=to_checksum_address(raw), i=i
                    )
                    addresses += 1
            out.write(PARTY.format(i=i, features=features))
        out.write("  </DistinctParties>\n  <SanctionsEntries>\n")
        j = 0
        while out.tell() < size:
            j += 1
            out.write(ENTRY.format(i=j))
        out.write("  </SanctionsEntries>\n</Sanctions>\n")
    return addresses


def _parse_traced(path: Path) -> tuple[int, int]:
    """(addresses found, peak bytes allocated by Python while parsing)."""
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_sdn_advanced(path))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_on_a_50_mb_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small_count = write_large_sdn(small, 500_000)
    large_count = write_large_sdn(large, 50_000_000)
    assert large.stat().st_size >= 50_000_000 and large_count > 4_000
    found_small, peak_small = _parse_traced(small)
    found_large, peak_large = _parse_traced(large)
    assert (found_small, found_large) == (small_count, large_count)
    # The whole tree would take hundreds of MB; streaming keeps one party (a few KB).
    assert peak_large < 4 * 2**20, f"peak {peak_large / 2**20:.1f} MiB for 50 MB of XML"
    assert peak_large < peak_small + 2**20, (peak_small, peak_large)
