"""Message templates: one recurring failure is one key. Numbers, UUIDs, hex ids, provider ids
(ch_..., pi_..., cus_..., with or without a digit), emails, IP addresses, URLs' query values
and quoted strings are masked; whitespace is collapsed; the result is at most MAX_TEMPLATE
characters. Deterministic: the same message always gives the same template."""

from __future__ import annotations

import re

MAX_TEMPLATE = 200

_QUERY_VALUE = re.compile(r"([?&;][^=&\s?#\"']{1,64}=)[^&\s#\"']*")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
_IPV6 = re.compile(
    r"(?<![\w:])(?=[0-9a-fA-F:]*::|(?:[0-9a-fA-F]{1,4}:){7})[0-9a-fA-F:]{2,39}(?:%\w+)?(?![\w:])"
)
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.){0,512}\"|'(?:[^'\\]|\\.){0,512}'|`[^`]{0,512}`")
_PROVIDER_ID = re.compile(r"\b[a-z]{2,8}_(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{8,}\b")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)(?:0x)?[0-9a-fA-F]{8,}\b")
_NUMBER = re.compile(r"[-+]?\d+(?:[.,:]\d+)*")
_SPACE = re.compile(r"\s+")

# Masks in the order they apply: the wider shapes first, so that an email is not eaten by the
# number rule and a UUID not by the hex rule.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_QUERY_VALUE, r"\1<*>"),
    (_QUOTED, '"<*>"'),
    (_EMAIL, "<email>"),
    (_UUID, "<uuid>"),
    (_IPV6, "<ip>"),
    (_IPV4, "<ip>"),
    (_PROVIDER_ID, "<id>"),
    (_HEX, "<hex>"),
    (_NUMBER, "<n>"),
)

_INPUT_CAP = 4 * MAX_TEMPLATE


def template(message: str) -> str:
    """The stable template of `message`: variable parts masked, at most MAX_TEMPLATE chars."""
    text = message[:_INPUT_CAP]
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > MAX_TEMPLATE:
        text = text[: MAX_TEMPLATE - 1] + "…"
    return text
