"""Bitcoin addresses: Base58Check P2PKH/P2SH and Bech32/Bech32m segwit.

Mainnet unless the caller names another network. Testnet covers testnet3,
testnet4 and signet (they share prefixes); regtest uses HRP `bcrt` and the
testnet Base58 version bytes. The stored form keeps Base58 as given and
lower-cases Bech32.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.addresses import base58, bech32, segwit
from app.addresses.errors import AddressError


class Network(StrEnum):
    MAINNET = "mainnet"
    TESTNET = "testnet"
    REGTEST = "regtest"


class Kind(StrEnum):
    P2PKH = "p2pkh"
    P2SH = "p2sh"
    P2WPKH = "p2wpkh"
    P2WSH = "p2wsh"
    P2TR = "p2tr"
    WITNESS_UNKNOWN = "witness_unknown"  # valid address, version/size not yet given meaning


HRP = {Network.MAINNET: "bc", Network.TESTNET: "tb", Network.REGTEST: "bcrt"}
_HRP_NETWORK = {hrp: network for network, hrp in HRP.items()}
_SEGWIT_PREFIXES = tuple(hrp + "1" for hrp in HRP.values())
# Version byte -> (network, kind); regtest shares testnet's bytes.
_VERSIONS = {
    0x00: (Network.MAINNET, Kind.P2PKH),
    0x05: (Network.MAINNET, Kind.P2SH),
    0x6F: (Network.TESTNET, Kind.P2PKH),
    0xC4: (Network.TESTNET, Kind.P2SH),
}
_BASE58_CHARACTERS = frozenset(base58.ALPHABET)
_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class BitcoinAddress:
    address: str  # the stored form
    network: Network
    kind: Kind
    witness_version: int | None  # None for Base58 addresses
    program: bytes  # the hash for P2PKH/P2SH, the witness program for segwit

    @property
    def script_pubkey(self) -> bytes:
        if self.kind is Kind.P2PKH:
            return b"\x76\xa9\x14" + self.program + b"\x88\xac"
        if self.kind is Kind.P2SH:
            return b"\xa9\x14" + self.program + b"\x87"
        assert self.witness_version is not None
        opcode = 0x50 + self.witness_version if self.witness_version else 0
        return bytes([opcode, len(self.program)]) + self.program


def parse(address: str, *, network: Network = Network.MAINNET) -> BitcoinAddress:
    """The decoded address, or AddressError if it is not valid on `network`."""
    if not isinstance(address, str):
        raise AddressError(f"address must be text, not {type(address).__name__}")
    text = address.strip()
    if not text:
        raise AddressError("empty address")
    if len(text) > _MAX_LENGTH:
        raise AddressError(f"too long for a Bitcoin address: {len(text)} characters")
    lower = text.lower()
    if lower.startswith("0x"):
        raise AddressError("not a Bitcoin address: starts with 0x like an EVM address")
    if lower.startswith(_SEGWIT_PREFIXES) or (
        "1" in text[1:] and not _BASE58_CHARACTERS.issuperset(text)
    ):
        return _parse_segwit(text, network)
    return _parse_base58(text, network)


def normalize_bitcoin(address: str, *, network: Network = Network.MAINNET) -> str:
    return parse(address, network=network).address


def _parse_segwit(text: str, network: Network) -> BitcoinAddress:
    decoded = bech32.decode(text)
    found = _HRP_NETWORK.get(decoded.hrp)
    if found is None:
        raise AddressError(
            f"invalid human-readable part {decoded.hrp!r}: "
            f"Bitcoin {network} segwit addresses start with {HRP[network]}1"
        )
    if found is not network:
        raise AddressError(
            f"not a Bitcoin {network} address ({found} address, prefix {decoded.hrp})"
        )
    version, program = segwit.witness_program(decoded.data, decoded.encoding)
    return BitcoinAddress(text.lower(), network, _segwit_kind(version, program), version, program)


def _segwit_kind(version: int, program: bytes) -> Kind:
    if version == 0:
        return Kind.P2WPKH if len(program) == 20 else Kind.P2WSH
    if version == 1 and len(program) == 32:
        return Kind.P2TR
    return Kind.WITNESS_UNKNOWN


def _parse_base58(text: str, network: Network) -> BitcoinAddress:
    payload = base58.b58check_decode(text)
    if len(payload) != 21:
        raise AddressError(
            f"Base58Check payload is {len(payload)} bytes, expected 21 "
            "(a version byte and a 20-byte hash)"
        )
    version = payload[0]
    if version not in _VERSIONS:
        raise AddressError(f"unknown Bitcoin address version byte 0x{version:02x}")
    found, kind = _VERSIONS[version]
    if found is not (Network.TESTNET if network is Network.REGTEST else network):
        raise AddressError(
            f"not a Bitcoin {network} address ({found} address, version byte 0x{version:02x})"
        )
    return BitcoinAddress(text, network, kind, None, payload[1:])
