"""JSON from outside (a provider's answer, a sync file, an invitation), nesting bounded.

json.loads recurses once per level in C. The eth libraries raise the interpreter's
recursion limit to 100,000 when they are imported (py_ecc does, at import), so a body
of a few thousand '[' does not end in RecursionError but overflows the C stack: the
whole process dies with SIGSEGV (found by fuzzing the explorer and KYT answers).
Every document we read from outside is a few levels deep; deeper is refused first.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: far deeper than any answer or file we read (a handful of levels)
MAX_DEPTH = 100

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class JsonTooDeep(ValueError):
    """The document nests deeper than MAX_DEPTH (a ValueError, as bad JSON is)."""


def depth(data: bytes) -> int:
    """How deep the brackets of `data` nest, strings left out (an upper bound for
    text that is not JSON)."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return MAX_DEPTH  # cannot be deeper: no need to look closer
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    deepest = level = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def loads(data: bytes | str, **options: Any) -> Any:
    """json.loads, refusing a document nested deeper than MAX_DEPTH (JsonTooDeep)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if depth(raw) > MAX_DEPTH:
        raise JsonTooDeep(f"nested more than {MAX_DEPTH} levels deep")
    return json.loads(data, **options)
