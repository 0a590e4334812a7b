"""Organizational domains (RFC 7489 section 3.2) from the Public Suffix List.

publicsuffixlist ships its own copy of the list, so no lookup leaves the machine. The whole
list is used (ICANN and private sections), as OpenDMARC and most receivers do: the
organizational domain of x.github.io is x.github.io itself.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@functools.cache
def _suffixes() -> PublicSuffixList:
    # Imported on first use: loading the list costs time that listing checks must not pay.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """The public suffix plus one label; a name that is itself a public suffix is its own."""
    name = domain.rstrip(".").lower()
    return _suffixes().privatesuffix(name) or name


def same_organization(first: str, second: str) -> bool:
    return organizational_domain(first) == organizational_domain(second)
