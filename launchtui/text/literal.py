"""Show text from the network literally: escape what a terminal or parser would act on.

DNS records, headers and certificate fields are attacker-controlled. Control characters
(terminal escape sequences, carriage returns) and bidirectional overrides are written as
visible escapes such as \\x1b, so they can be read but never executed. Rich markup needs no
escaping here: plain reports do not interpret it, and the TUI renders network text as
plain Text, never as markup.
"""

from __future__ import annotations

import unicodedata

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def literal(text: str, *, keep_newlines: bool = False) -> str:
    out = []
    for char in text:
        if keep_newlines and char == "\n":
            out.append(char)
        elif unicodedata.category(char) == "Cc" or char in _BIDI:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
