"""References as agencies and courts write them: `source`, `source_ref` and `case_ref` (SPEC §2).

A Chinese traffic police writes `荣公交罚〔2026〕第0017号` and a court `（2026）鲁1082执123号`, so a
reference is text in any script, not an ASCII code. What it may not hold is what cannot be seen or
changes how the text around it is shown: control, format and bidi characters, line and paragraph
separators, spaces other than the ordinary one, unassigned and private-use code points. Those are
exactly what `str.isprintable()` refuses (every character it accepts is visible, or the ASCII
space). A leading or trailing space is refused too: it would make two keys that look the same.

The rule is checked on the text as sent, and the reference kept is its NFC form, so the two ways
Unicode has of spelling `é` (one code point, or `e` and a combining accent) are one reference,
one idempotency key and one record id.
"""

from __future__ import annotations

import unicodedata
from functools import cache

MAX_LENGTH = 128

REFERENCE_RULE = (
    f"1–{MAX_LENGTH} printable characters of any script, without control, format or bidi "
    "characters and without a leading or trailing space"
)

_KINDS = {
    "Cc": "a control character",
    "Cf": "a format character",
    "Cs": "a lone surrogate",
    "Co": "a private-use character",
    "Cn": "not an assigned character",
    "Zs": "a space other than the ordinary one",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
# Format characters that reorder text as it is shown: named as such, for they are how a
# reference is made to look like another one.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


class NotAReference(ValueError):
    """Text that breaks `REFERENCE_RULE`; the message says where and why."""


def reference(value: str) -> str:
    """`value` in NFC if it is a reference, else `NotAReference` naming the rule."""
    if not 1 <= len(value) <= MAX_LENGTH:
        raise NotAReference(
            f"{_shown(value)} has {len(value)} characters; a reference is {REFERENCE_RULE}"
        )
    for i, char in enumerate(value, start=1):
        if not char.isprintable():
            raise NotAReference(
                f"{_shown(value)}: character {i}, {_named(char)}, is {_kind(char)}; "
                f"a reference is {REFERENCE_RULE}"
            )
    if value[0] == " " or value[-1] == " ":
        raise NotAReference(
            f"{_shown(value)} starts or ends with a space; a reference is {REFERENCE_RULE}"
        )
    return unicodedata.normalize("NFC", value)


@cache
def reference_pattern() -> str:
    """The rule as a regular expression over the text as sent (with a length of 1 to
    `MAX_LENGTH` beside it), for a schema that can only state a pattern: a class of every
    printable character but the space, spelled out range by range from this Python's Unicode
    database, which is what `str.isprintable()` reads, so the two agree exactly."""
    printable = [ord(c) for c in filter(str.isprintable, map(chr, range(0x110000)))]
    ranges: list[tuple[int, int]] = []
    for code in printable:
        if code == 0x20:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    spelled = "".join(_literal(a) if a == b else f"{_literal(a)}-{_literal(b)}" for a, b in ranges)
    return f"^[{spelled}](?:[{spelled} ]*[{spelled}])?$"


def _literal(code: int) -> str:
    char = chr(code)
    return "\\" + char if char in "\\]^-[" else char


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 40 else repr(value[:40]) + "…"


def _named(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _kind(char: str) -> str:
    if ord(char) in _BIDI:
        return "a bidi control character"
    return _KINDS.get(unicodedata.category(char), "not printable")
