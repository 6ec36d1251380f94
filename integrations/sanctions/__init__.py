"""Sanctions lists read from files: the OFAC SDN advanced XML and plain address lists.

Parsers only: they yield each listed address as the file gives it
(`ListedAddress`) and validate nothing; mapping assets to chains and
normalising addresses is the app's job (`app.screening.sanctions`). No
network: a user downloads the official file and imports it.
"""

from __future__ import annotations

from integrations.sanctions.files import iter_list, publication_date, sha256_of, sniff
from integrations.sanctions.plain import asset_from_name, iter_plain_lines, iter_plain_list
from integrations.sanctions.records import ListedAddress, SanctionsFormatError, asset_code
from integrations.sanctions.sdn_xml import iter_sdn_advanced

__all__ = [
    "ListedAddress",
    "SanctionsFormatError",
    "asset_code",
    "asset_from_name",
    "iter_list",
    "iter_plain_lines",
    "iter_plain_list",
    "iter_sdn_advanced",
    "publication_date",
    "sha256_of",
    "sniff",
]
