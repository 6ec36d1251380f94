"""Offline sanctions figures: importing a full-size SDN XML, and look-ups against it.

python -m benchmarks.screening_bench     (or through benchmarks/run.py)
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from app.addresses.evm import to_checksum_address
from app.screening.sanctions import OfflineSanctions, import_sanctions, screen_offline
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from vault.keys import Keychain
from vault.unlock import create_vault

NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"
LOOKUPS = 1_000_000

_PARTY = """  <DistinctParty FixedRef="{i}"><Profile ID="{i}" PartySubTypeID="3">
   <Identity ID="{i}" Primary="true"><Alias AliasTypeID="1403" Primary="true">
    <DocumentedName><DocumentedNamePart><NamePartValue>PARTY {i}</NamePartValue>
    </DocumentedNamePart></DocumentedName></Alias></Identity>
{features}  </Profile></DistinctParty>
"""
_FEATURE = """   <Feature ID="{fid}" FeatureTypeID="{type_id}"><FeatureVersion ID="{fid}" \
ReliabilityID="1560"><Comment /><VersionDetail DetailTypeID="1432">{value}</VersionDetail>
   </FeatureVersion><IdentityReference IdentityID="{i}" IdentityFeatureLinkTypeID="1" />
   </Feature>
"""


def _write_sdn(path: Path, size: int) -> list[str]:
    """An SDN advanced XML of about `size` bytes, shaped like the real one (most parties
    have no address); returns the ETH addresses it lists."""
    listed: list[str] = []
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="{NS}">\n'
            "<DateOfIssue><Year>2026</Year><Month>1</Month><Day>15</Day></DateOfIssue>\n"
            "<ReferenceValueSets><FeatureTypeValues>\n"
            '<FeatureType ID="8">Birthdate</FeatureType>\n'
            '<FeatureType ID="345">Digital Currency Address - ETH</FeatureType>\n'
            "</FeatureTypeValues></ReferenceValueSets>\n<DistinctParties>\n"
        )
        i = 0
        while out.tell() < size:
            i += 1
            features = _FEATURE.format(fid=i * 10, type_id=8, value="1970", i=i)
            if i % 20 == 0:
                address = to_checksum_address(i.to_bytes(20, "big"))
                listed.append(address)
                features += _FEATURE.format(fid=i * 10 + 1, type_id=345, value=address, i=i)
            out.write(_PARTY.format(i=i, features=features))
        out.write("</DistinctParties>\n</Sanctions>\n")
    return listed


def bench_sanctions() -> list[Figure]:
    rng = random.Random(11)
    with temp_folder() as folder:
        xml = folder / "SDN_ADVANCED.XML"
        listed = _write_sdn(xml, 100_000_000)
        vault = create_vault(
            folder / "bench.vault", passphrase=PASSPHRASE, keychain=Keychain(MemoryKeyring())
        ).vault
        start = time.perf_counter()
        import_sanctions(vault, xml)
        imported = time.perf_counter() - start

        service = OfflineSanctions(vault)
        start = time.perf_counter()
        snapshot = service.snapshot()
        loaded = time.perf_counter() - start

        # One in a thousand is listed; half typed lower-case, as exchanges export them.
        sample = [
            ("ethereum", to_checksum_address(rng.randbytes(20)).lower() if i % 2 else
             to_checksum_address(rng.randbytes(20)))
            for i in range(999)
        ] + [("bsc", listed[len(listed) // 2].lower())]  # fmt: skip
        pairs = sample * (LOOKUPS // len(sample))

        keys = frozenset(a.lower() for a in listed)
        start = time.perf_counter()
        baseline_hits = sum(1 for _chain, address in pairs if address.strip().lower() in keys)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        hits = sum(1 for chain, address in pairs if snapshot.lookup(chain, address) is not None)
        lookups = time.perf_counter() - start
        if hits != baseline_hits or hits != LOOKUPS // len(sample):
            raise SystemExit(f"sanctions benchmark: {hits} hits, expected {baseline_hits}")

        start = time.perf_counter()
        for chain, address in pairs:
            snapshot.screen(chain, address, validate=False)
        screens = time.perf_counter() - start

        some = pairs[:20_000]
        start = time.perf_counter()
        for chain, address in some:
            snapshot.screen(chain, address)
        validated_us = (time.perf_counter() - start) / len(some) * 1e6

        few = pairs[:2_000]
        start = time.perf_counter()
        for chain, address in few:
            screen_offline(vault.conn, chain, address)
        sql_us = (time.perf_counter() - start) / len(few) * 1e6
        vault.close(audit=False)
    return [
        Figure(
            "sanctions_import_100mb_xml",
            imported,
            "s",
            f"< 10 s (streamed parse, one transaction; {len(listed)} addresses)",
            imported / 10,
            "target",
        ),
        Figure(
            "sanctions_snapshot_load",
            loaded,
            "s",
            "< 0.5 s, once per unlock",
            loaded / 0.5,
            "target",
        ),
        Figure(
            "sanctions_1m_lookups",
            lookups,
            "s",
            f"< 2 s (a plain frozenset membership test takes {baseline:.3f} s)",
            lookups / 2,
            "target",
        ),
        Figure(
            "sanctions_1m_screens_unvalidated",
            screens,
            "s",
            "< 5 s, a RiskResult per address (book addresses are already valid)",
            screens / 5,
            "target",
        ),
        Figure(
            "sanctions_screen_validated",
            validated_us,
            "µs/call",
            "< 20 µs, the address validated on a miss (EIP-55 keccak)",
            validated_us / 20,
            "target",
        ),
        Figure(
            "sanctions_sql_lookup",
            sql_us,
            "µs/call",
            "< 1000 µs, no snapshot: one indexed query per call",
            sql_us / 1000,
            "target",
        ),
    ]


if __name__ == "__main__":
    for figure in bench_sanctions():
        print(figure.line())
