"""The OFAC SDN advanced XML (`SDN_ADVANCED.XML`), read as a stream.

The file is 80–120 MB, so it is never loaded whole: `iterparse` reads it
element by element and every finished element near the top of the tree (a
party, a location, a sanctions entry, ...) is detached as soon as it has been
read, so memory stays at the size of one party whatever the file's size.

What is read (see /work/shared/reference/ofac-sdn.md):

- `DateOfIssue` (Year/Month/Day): the publication date;
- `FeatureType` elements whose text is "Digital Currency Address - <ASSET>":
  their `ID`s, which change between publications, so they are looked up by
  text in each file;
- each `DistinctParty`: its `FixedRef` (the SDN entry id), the name of its
  primary alias, and the `VersionDetail` text of each `Feature` whose
  `FeatureTypeID` is one of those IDs.

Both the current namespace and the older `http://www.un.org/sanctions/1.0`
(or none) are accepted: elements are matched by local name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from integrations.sanctions.records import ListedAddress, SanctionsFormatError, asset_code

FEATURE_PREFIX = "Digital Currency Address - "
ROOT = "Sanctions"
# Elements at this depth or above (root = 1) are detached once read: the
# sections under the root and their records (parties, locations, entries...).
_DETACH_DEPTH = 3
_KEEP_PARTS = frozenset({"Year", "Month", "Day"})  # of DateOfIssue, read when it ends
ENTITIES_REFUSED = (
    "the file declares XML entities, which an OFAC SDN file never does: refused "
    "(download the list again from OFAC)"
)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def iter_sdn_advanced(source: Path | IO[bytes]) -> Iterator[ListedAddress]:
    """Every digital-currency address of every party, in file order.

    An address listed twice for one party is yielded twice; de-duplication is
    the importer's job. Raises SanctionsFormatError for a file that is not
    well-formed XML or not an SDN advanced file.
    """
    try:
        yield from _parse(source)
    except ET.ParseError as exc:
        line, column = exc.position
        raise SanctionsFormatError(
            f"not well-formed XML (line {line}, column {column}): is the download complete?"
        ) from None
    except DefusedXmlException:
        raise SanctionsFormatError(ENTITIES_REFUSED) from None


def _parse(source: Path | IO[bytes]) -> Iterator[ListedAddress]:
    assets: dict[str, str] = {}  # FeatureType ID -> asset code
    feature_types_seen = False
    list_date: date | None = None
    stack: list[ET.Element] = []
    # defusedxml refuses entity declarations and external references outright, so an
    # untrusted download cannot expand (billion laughs) or fetch anything, whatever
    # the expat version underneath.
    for event, elem in iterparse(source, events=("start", "end")):
        if event == "start":
            if not stack and _local(elem.tag) != ROOT:
                raise SanctionsFormatError(
                    f"not an OFAC SDN advanced XML file: the root element is "
                    f"<{_local(elem.tag)}>, not <{ROOT}>"
                )
            stack.append(elem)
            continue
        stack.pop()
        name = _local(elem.tag)
        if name == "FeatureType":
            feature_types_seen = True
            text = (elem.text or "").strip()
            if text.startswith(FEATURE_PREFIX):
                assets[elem.get("ID", "")] = _asset(text[len(FEATURE_PREFIX) :])
        elif name == "DateOfIssue" and list_date is None:
            list_date = _issue_date(elem)
        elif name == "DistinctParty":
            if not feature_types_seen:
                raise SanctionsFormatError(
                    "not an OFAC SDN advanced XML file: parties come before the "
                    "feature types (ReferenceValueSets/FeatureTypeValues)"
                )
            yield from _party_addresses(elem, assets, list_date)
        if 0 < len(stack) < _DETACH_DEPTH and name not in _KEEP_PARTS:
            stack[-1].remove(elem)


#: sections after the header: a file that reached one of them without a date has none
_AFTER_HEADER = frozenset({"ReferenceValueSets", "DistinctParty", "DistinctParties"})


def issue_date_of(source: Path | IO[bytes]) -> date | None:
    """The publication date (`DateOfIssue`) from the head of the file, without reading
    the rest; None when the head has none or is not XML (the import says why)."""
    try:
        for _event, elem in iterparse(source, events=("end",)):
            name = _local(elem.tag)
            if name == "DateOfIssue":
                return _issue_date(elem)
            if name in _AFTER_HEADER:
                return None
    except (ET.ParseError, SanctionsFormatError, DefusedXmlException):
        return None
    return None


def _asset(text: str) -> str:
    # A label we do not expect must not stop the import: keep it as OFAC wrote it.
    try:
        return asset_code(text)
    except SanctionsFormatError:
        return text.strip()


def _issue_date(elem: ET.Element) -> date:
    ns = elem.tag[: -len("DateOfIssue")]
    parts = [(elem.findtext(ns + part) or "").strip() for part in ("Year", "Month", "Day")]
    try:
        return date(*(int(part) for part in parts))
    except ValueError:
        raise SanctionsFormatError(
            f"the publication date (DateOfIssue) is not a date: {'-'.join(parts)}"
        ) from None


def _party_addresses(
    party: ET.Element, assets: dict[str, str], list_date: date | None
) -> Iterator[ListedAddress]:
    ns = party.tag[: -len("DistinctParty")]
    found: list[tuple[str, str]] = []
    for feature in party.iter(ns + "Feature"):
        asset = assets.get(feature.get("FeatureTypeID", ""))
        if asset is None:
            continue
        for detail in feature.iter(ns + "VersionDetail"):
            text = (detail.text or "").strip()
            if text:
                found.append((asset, text))
    if not found:
        return
    name = _primary_name(party, ns)
    entry_id = party.get("FixedRef")
    for asset, address in found:
        yield ListedAddress(asset, address, name, entry_id, list_date)


def _primary_name(party: ET.Element, ns: str) -> str | None:
    """The party's name: its primary alias (`Alias Primary="true"`), else its first one."""
    aliases = list(party.iter(ns + "Alias"))
    if not aliases:
        return None
    alias = next((a for a in aliases if a.get("Primary") == "true"), aliases[0])
    name = alias.find(ns + "DocumentedName")
    if name is None:
        return None
    parts = [(v.text or "").strip() for v in name.iter(ns + "NamePartValue")]
    return " ".join(p for p in parts if p) or None
