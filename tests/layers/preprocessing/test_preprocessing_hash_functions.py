"""FarmHash Fingerprint64 and SipHash-2-4 against published values."""

import pytest

from torchkeras.layers.preprocessing.hash_functions import fingerprint64
from torchkeras.layers.preprocessing.hash_functions import siphash64

# farmhashna::Hash64 golden values (dgryski/go-farm `farmhash_test.go`),
# covering each length branch: 0-16, 17-32, 33-64 and > 64 bytes.
FARMHASH_GOLDEN = {
    "": 0x9AE16A3B2F90404F,
    "a": 0xB3454265B6DF75E3,
    "abcd": 0x1A5502DE4A1F8101,
    "abcdefgh": 0xFEE9D22990C82909,
    "0123456789=012345": 0x46A7416ED4861E3B,
    "0123456789%0123456789\u00a3": 0x4DBD128AF51D77E8,
    "C is as portable as Stonehedge!!": 0xB944F8A16261E414,
    "Discard medicine more than two years old.": 0xE8F89AB6DF9BDD25,
    "The days of the digital watch are numbered.  -Tom Stoppard":
        0x2A578B80BB82147C,
    "For every action there is an equal and opposite government program.":
        0x55182F8859ECA4CE,
    "Give me a rock, paper and scissors and I will move the world.  "
    "CCFestoon": 0xA2B8BF3032021993,
    "The fugacity of a constituent in a mixture of gases at a given "
    "temperature is proportional to its mole fraction.  Lewis-Randall "
    "Rule": 0x098EFF6958C5E91A,
}


@pytest.mark.parametrize("text,expected", sorted(FARMHASH_GOLDEN.items()))
def test_fingerprint64_golden(text, expected):
    assert fingerprint64(text.encode("utf-8")) == expected


def test_fingerprint64_matches_tf_to_hash_bucket_fast_docs():
    # tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3)
    got = [fingerprint64(s.encode()) % 3 for s in ("Hello", "TensorFlow",
                                                   "2.x")]
    assert got == [0, 2, 2]


def test_siphash_reference_vectors():
    # SipHash-2-4 paper, key 00..0f: the empty message and 00..0e.
    k0 = int.from_bytes(bytes(range(8)), "little")
    k1 = int.from_bytes(bytes(range(8, 16)), "little")
    assert siphash64((k0, k1), b"") == int.from_bytes(
        bytes.fromhex("310e0edd47db6f72"), "little")
    assert siphash64((k0, k1), bytes(range(15))) == 0xA129CA6149BE45E5
