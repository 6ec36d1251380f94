"""Every vector in /work/shared/reference/address-test-vectors.md, section by section.

The reference file's reasons are mapped to fragments of our own reasons, so
each invalid vector must fail for the reason the specification names.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_utils.address import to_checksum_address

from app.addresses import CHAINS, AddressError, Network, chain_info, is_evm, normalize
from app.addresses import bech32 as b32
from app.addresses.bech32 import Encoding
from app.addresses.bitcoin import parse
from app.addresses.evm import CHECKSUM_MISMATCH
from app.addresses.tron import to_hex

EVM_CHAINS = [chain for chain in CHAINS if is_evm(chain)]

# §1 EIP-55
EIP55_VALID = [
    # All caps
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    # All Lower
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    # Normal
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_DERIVED_INVALID = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
EIP55_OTHER_CHECKSUMMED = [
    "0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2",
    "0x4E83362442B8d1beC281594cEa3050c8EB01311C",
    "0x7Dcd17433742F4c0Ca53122aB541D0Ba67fC27Df",
    "0x8589427373D6D84E98730D7795D8f6f8731FDA16",
]

# §2.1 BIP-173 examples: (address, network, scriptPubKey)
P2WPKH = "0014751e76e8199196d454941c45d1b3a323f1433bd6"
P2WSH = "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"
BIP173_EXAMPLES = [
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network.MAINNET, P2WPKH),
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Network.TESTNET, P2WPKH),
    ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", Network.MAINNET, P2WSH),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", Network.TESTNET, P2WSH),
]

# §2.2 and §3.1: valid generic strings
BECH32_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
BECH32M_VALID = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]

# The reference file's reasons -> fragments of ours.
HRP_RANGE = "HRP character out of range"
TOO_LONG = "too long"
NO_SEPARATOR = "no separator"
EMPTY_HRP = "empty human-readable part"
DATA_CHARACTER = "in data at position"
SHORT_CHECKSUM = "checksum too short"
CHECKSUM_CHARACTER = "in checksum at position"
BAD_CHECKSUM = "bech32 checksum invalid"
BAD_HRP = "invalid human-readable part"
BAD_VERSION = "invalid witness version"
PROGRAM_LENGTH = "invalid witness program length"
V0_LENGTH = "for segwit v0 (must be 20 or 32 bytes)"
MIXED_CASE = "mixed case"
LONG_PADDING = "bits of padding, at most 4"
NONZERO_PADDING = "non-zero padding"
EMPTY_DATA = "empty data section"
WANTS_BECH32M = "must use bech32m, not bech32"
WANTS_BECH32 = "segwit v0 must use bech32, not bech32m"

# §2.3 and §3.2: invalid generic strings
BECH32_INVALID = [
    (" 1nwldj5", HRP_RANGE),
    ("\x7f1axkwrx", HRP_RANGE),
    ("\x801eym55h", HRP_RANGE),
    (
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
        TOO_LONG,
    ),
    ("pzry9x0s0muk", NO_SEPARATOR),
    ("1pzry9x0s0muk", EMPTY_HRP),
    ("x1b4n0q5v", DATA_CHARACTER),
    ("li1dgmt3", SHORT_CHECKSUM),
    ("de1lg7wt\xff", CHECKSUM_CHARACTER),
    ("A1G7SGD8", BAD_CHECKSUM),
    ("10a06t8", EMPTY_HRP),
    ("1qzzfhee", EMPTY_HRP),
]
BECH32M_INVALID = [
    (" 1xj0phk", HRP_RANGE),
    ("\x7f1g6xzxy", HRP_RANGE),
    ("\x801vctc34", HRP_RANGE),
    (
        "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
        TOO_LONG,
    ),
    ("qyrz8wqd2c9m", NO_SEPARATOR),
    ("1qyrz8wqd2c9m", EMPTY_HRP),
    ("y1b0jsk6g", DATA_CHARACTER),
    ("lt1igcx5c0", DATA_CHARACTER),
    ("in1muywd", SHORT_CHECKSUM),
    ("mm1crxm3i", CHECKSUM_CHARACTER),
    ("au1s5cgom", CHECKSUM_CHARACTER),
    ("M1VUXWEZ", BAD_CHECKSUM),
    ("16plkw9", EMPTY_HRP),
    ("1p2gdwpf", EMPTY_HRP),
]

# §2.4: BIP-173 valid segwit addresses; the v1+ ones are invalid under BIP-350.
BIP173_SEGWIT = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", P2WPKH, True),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", P2WSH, True),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
        False,
    ),
    ("BC1SW50QA3JX3S", "6002751e", False),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "5210751e76e8199196d454941c45d1b3a323", False),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
        True,
    ),
]

# §2.5 and §3.4: invalid segwit addresses
BIP173_SEGWIT_INVALID = [
    ("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", BAD_HRP),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", BAD_CHECKSUM),
    ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", BAD_VERSION),
    ("bc1rw5uspcuh", PROGRAM_LENGTH),
    (
        "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
        PROGRAM_LENGTH,
    ),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", V0_LENGTH),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", MIXED_CASE),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", LONG_PADDING),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", NONZERO_PADDING),
    ("bc1gmk9yu", EMPTY_DATA),
]
BIP350_SEGWIT_INVALID = [
    ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", BAD_HRP),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", WANTS_BECH32M),
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", WANTS_BECH32M),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", WANTS_BECH32M),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", WANTS_BECH32),
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", WANTS_BECH32),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", CHECKSUM_CHARACTER),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", BAD_VERSION),
    ("bc1pw5dgrnzv", PROGRAM_LENGTH),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
        PROGRAM_LENGTH,
    ),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", V0_LENGTH),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", MIXED_CASE),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", LONG_PADDING),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", NONZERO_PADDING),
    ("bc1gmk9yu", EMPTY_DATA),
]

# §3.3: BIP-350 valid segwit addresses
BIP350_SEGWIT_VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", P2WPKH),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", P2WSH),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]

# §4.1 Base58Check valid: (address, scriptPubKey, network)
BASE58_VALID = [
    ("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", "76a914a31c06bd463e3923bc1aadbde48b16976c08071788ac"),
    ("36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm", "a914373b819a068f32b7a6b38b6b38729647cfde01c287"),
    ("1FjL87pn8ky6Vbavd1ZHeChRXtoxwRGCRd", "76a914a19331b7b2627e663e25a7b001e4c0dcc5e21bc788ac"),
    ("3BZECeAH8gSKkjrTx8PwMrNQBLG18yHpvf", "a9146c382dcdf5b284760c8e3fead91f7422cd76aa8787"),
]
BASE58_TESTNET_VALID = [
    ("mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ", "76a914ce28b26c57472737f5c3561a1761185bd8589a4388ac"),
    ("2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK", "a914ce0bba75891ff9ec60148d4bd4a09ee2dc5c933187"),
]

# §4.2 Base58Check invalid (key_io_invalid.json), with the reason the file determined
BASE58_INVALID = [
    ("", "empty address"),
    ("x", "too short for Base58Check"),
    (
        "1GAdfviErV2Ew95FPtZyikz2qGP3gyCB6Hyu94sedAkPpA523m3fQwps9YKUZkKgQckGPKhRsFR",
        "payload is 51 bytes, expected 21",
    ),
    ("8iVk9nLM3nYwRuwypjy9NK5rsuZH7BbrQRZ1pgcQmvMnjAgRXD", "payload is 33 bytes, expected 21"),
    ("2UVPFpGYnLHJezFzjUo42our6PMEoozzRdM", "unknown Bitcoin address version byte 0xd4"),
    ("2MygHQjE1U33q3LSC53p69YqFjP8PihumJAF", "Base58Check checksum mismatch"),
    ("KzNbAQ4mexfAxa6RKBzHQqfoTycaeWpv2p", "unknown Bitcoin address version byte 0x2f"),
    ("2jDPrDfAKihCGPbPD9ztY8TswAia4V8Bc6vx", "Base58Check checksum mismatch"),
    ("AZEah8d1EK362okRBS66e8SvdtYkrE8tsX", "unknown Bitcoin address version byte 0x17"),
    ("2NDNP7GY59tTJPZTpbkprhM9SR99Nn5rUs7", "Base58Check checksum mismatch"),
    ("bc1gmk9yu", EMPTY_DATA),
    ("TB1QFDFM763VXVSUNZHQLPWC0Q8FG5LJX6ZN", V0_LENGTH),  # checked on testnet, its own network
]

# §4.3 Tron: (Base58 form, hex form)
TRON = [
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"),
    ("TYPrKF2sevXuE86Xo3Y2mhFnjseiUcybny", "41f5fbe5e8725957174014dca1dc4fed54e970a2f8"),
    ("TTRmEA73gpoxK2KRmhL7GtcYLh88VefYss", "41bf7fdaa6d6282a1727485bf48c591f5a5a43efb9"),
    ("TLCuBEirVzB6V4menLZKw1jfBTFMZbuKq7", "41704833c02883b3261f7baf62f8cb19b4b0c2e64e"),
]

# Every (chain, address) the reference file lists as valid on a chain we store.
VALID_ON_CHAINS = (
    [(chain, a) for chain in EVM_CHAINS for a in EIP55_VALID + EIP55_OTHER_CHECKSUMMED]
    + [("bitcoin", a) for a, network, _ in BIP173_EXAMPLES if network is Network.MAINNET]
    + [("bitcoin", a) for a, _ in BIP350_SEGWIT_VALID if a.lower().startswith("bc1")]
    + [("bitcoin", a) for a, _ in BASE58_VALID]
    + [("tron", a) for pair in TRON for a in pair]
)


def own_network(address: str) -> Network:
    return Network.TESTNET if address.lower().startswith("tb1") else Network.MAINNET


def reason(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The reason `call(*args, **kwargs)` gives for rejecting its input."""
    with pytest.raises(AddressError) as caught:
        call(*args, **kwargs)
    return caught.value.reason


# §1


@pytest.mark.parametrize("chain", EVM_CHAINS)
@pytest.mark.parametrize("address", EIP55_VALID + EIP55_OTHER_CHECKSUMMED)
def test_eip55_vector_is_its_own_stored_form(chain: str, address: str) -> None:
    assert normalize(chain, address) == address
    assert to_checksum_address(address) == address  # eth_utils agrees with the file


@pytest.mark.parametrize("address", EIP55_VALID + EIP55_OTHER_CHECKSUMMED)
def test_eip55_vector_without_checksum_is_stored_checksummed(address: str) -> None:
    digits = address[2:]
    assert normalize("ethereum", "0x" + digits.lower()) == address
    assert normalize("ethereum", "0x" + digits.upper()) == address


@pytest.mark.parametrize("chain", EVM_CHAINS)
def test_eip55_derived_negative_vector(chain: str) -> None:
    assert reason(normalize, chain, EIP55_DERIVED_INVALID) == CHECKSUM_MISMATCH


# §2.2, §2.3, §3.1, §3.2


@pytest.mark.parametrize("text", BECH32_VALID)
def test_bech32_valid_string(text: str) -> None:
    decoded = b32.decode(text)
    assert decoded.encoding is Encoding.BECH32
    assert b32.encode(decoded.hrp, decoded.data, encoding=Encoding.BECH32) == text.lower()


@pytest.mark.parametrize("text", BECH32M_VALID)
def test_bech32m_valid_string(text: str) -> None:
    decoded = b32.decode(text)
    assert decoded.encoding is Encoding.BECH32M
    assert b32.encode(decoded.hrp, decoded.data, encoding=Encoding.BECH32M) == text.lower()


@pytest.mark.parametrize(("text", "why"), BECH32_INVALID + BECH32M_INVALID)
def test_invalid_bech32_string(text: str, why: str) -> None:
    assert why in reason(b32.decode, text)


# §2.1, §2.4, §3.3: valid addresses decode to the listed scriptPubKey


@pytest.mark.parametrize(("address", "network", "script"), BIP173_EXAMPLES)
def test_bip173_example(address: str, network: Network, script: str) -> None:
    decoded = parse(address, network=network)
    assert decoded.script_pubkey.hex() == script
    assert decoded.address == address


@pytest.mark.parametrize(("address", "script"), BIP350_SEGWIT_VALID)
def test_bip350_valid_segwit_address(address: str, script: str) -> None:
    decoded = parse(address, network=own_network(address))
    assert decoded.script_pubkey.hex() == script
    assert decoded.address == address.lower()


@pytest.mark.parametrize(("address", "script", "valid_now"), BIP173_SEGWIT)
def test_bip173_segwit_address_under_bip350(address: str, script: str, valid_now: bool) -> None:
    network = own_network(address)
    if valid_now:
        assert parse(address, network=network).script_pubkey.hex() == script
    else:
        assert WANTS_BECH32M in reason(parse, address, network=network)


# §2.5, §3.4: invalid everywhere, for the BIP's reason on the address's own network


@pytest.mark.parametrize(("address", "why"), BIP173_SEGWIT_INVALID + BIP350_SEGWIT_INVALID)
def test_invalid_segwit_address(address: str, why: str) -> None:
    assert why in reason(parse, address, network=own_network(address))
    for network in Network:
        reason(parse, address, network=network)
    reason(normalize, "bitcoin", address)


# testnet vectors given as mainnet


@pytest.mark.parametrize(
    "address",
    [a for a, network, _ in BIP173_EXAMPLES if network is Network.TESTNET]
    + [a for a, _ in BIP350_SEGWIT_VALID if a.startswith("tb1")]
    + [a for a, _ in BASE58_TESTNET_VALID],
)
def test_testnet_vector_is_not_bitcoin_mainnet(address: str) -> None:
    why = reason(normalize, "bitcoin", address)
    assert why.startswith("not a Bitcoin mainnet address (testnet address")


# §4.1, §4.2


@pytest.mark.parametrize(("address", "script"), BASE58_VALID)
def test_base58_mainnet_vector(address: str, script: str) -> None:
    assert parse(address).script_pubkey.hex() == script
    assert normalize("bitcoin", address) == address


@pytest.mark.parametrize(("address", "script"), BASE58_TESTNET_VALID)
def test_base58_testnet_vector(address: str, script: str) -> None:
    for network in (Network.TESTNET, Network.REGTEST):
        assert parse(address, network=network).script_pubkey.hex() == script


@pytest.mark.parametrize(("address", "why"), BASE58_INVALID)
def test_base58_invalid_vector(address: str, why: str) -> None:
    assert why in reason(parse, address, network=own_network(address))
    for network in Network:
        reason(parse, address, network=network)
    reason(normalize, "bitcoin", address)


# §4.3


@pytest.mark.parametrize(("address", "hex_form"), TRON)
def test_tron_vector(address: str, hex_form: str) -> None:
    assert normalize("tron", address) == address
    assert normalize("tron", hex_form) == address
    assert normalize("tron", hex_form.upper()) == address
    assert to_hex(address) == hex_form


# all of them


@pytest.mark.parametrize(("chain", "address"), VALID_ON_CHAINS)
def test_normalize_is_idempotent(chain: str, address: str) -> None:
    stored = normalize(chain, address)
    assert normalize(chain, stored) == stored
    assert normalize(chain, f"  {address}\n") == stored


@pytest.mark.parametrize(("chain", "address"), VALID_ON_CHAINS)
def test_a_valid_address_is_rejected_by_every_other_family(chain: str, address: str) -> None:
    family = chain_info(chain).family
    for other in CHAINS:
        if chain_info(other).family is not family:
            reason(normalize, other, address)
