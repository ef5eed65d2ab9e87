"""Process-wide guards against hostile input: a sane recursion limit and a JSON nesting bound.

Importing web3 imports ``py_ecc``, which raises Python's recursion limit to 100,000. The C JSON
decoder recurses once per nesting level and trusts that limit, so a body of 70,000 nested ``[``
overflows the C stack and the whole process dies with SIGSEGV instead of raising. Two guards:
:func:`restore_recursion_limit` (called when the app and the CLI start) and
:func:`json_depth_exceeds` (checked before any client JSON is parsed).
"""

from __future__ import annotations

import re
import sys

#: What the process runs with once web3 is imported; CPython's default is 1,000.
SANE_RECURSION_LIMIT = 10_000
#: The deepest JSON a client may send; the API's deepest body (a trade batch) nests 4 levels.
MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_EMPTY_PAIR = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def restore_recursion_limit() -> None:
    """Bring the recursion limit back down after web3 (py_ecc) raised it."""
    import web3  # noqa: F401  (imports py_ecc, which raises the limit: lower it after that)

    if sys.getrecursionlimit() > SANE_RECURSION_LIMIT:
        sys.setrecursionlimit(SANE_RECURSION_LIMIT)


def json_depth_exceeds(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``data`` nests arrays/objects deeper than ``limit`` (brackets outside strings).

    Conservative on broken input: an unterminated string's brackets count, so garbage may be
    refused as too deep rather than reach the parser."""
    raw = data.encode() if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if re.search(rb"[\[{]{%d}" % (limit + 1), brackets):
        return True  # a run of openers deeper than the limit: the usual attack, found in C
    # Each round (in C) peels the innermost layer; what nests no deeper than ``limit`` is gone
    # after ``limit`` rounds, and what is left (deep, or unbalanced) is measured exactly.
    rounds = 0
    while rounds < limit and brackets:
        peeled = _EMPTY_PAIR.sub(b"", brackets)
        if len(peeled) == len(brackets):
            break
        brackets, rounds = peeled, rounds + 1
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth + rounds > limit:
                return True
        else:
            depth -= 1
    return False
