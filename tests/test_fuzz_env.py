"""Property-based tests of env files and the secret scanner's input (issue 19, item 2): generated
dotenv files parse to what was generated, mutated ones give variables or a ParseError naming a
line; generated file contents (text, binary, huge lines) give findings or nothing, never an
exception, and a finding's redaction never shows the generated secret."""

from __future__ import annotations

import re
import string
import tempfile
from pathlib import Path

from fuzz_mutations import mutate
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.deploy import dotenv
from launchtui.secrets.findings import Report, fingerprint
from launchtui.secrets.rules import entropy, is_placeholder
from launchtui.secrets.scan import scan_file, scan_text, where_of

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
plain_values = (
    st.text(
        alphabet=st.characters(
            exclude_categories=["Cs"], exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
        ),
        max_size=30,
    )
    .map(str.strip)
    .filter(lambda v: v[:1] not in ("'", '"', "#") and not re.search(r"\s#", v))
)
single_values = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=30
)
double_values = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=30
)


def _single(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _double(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return '"' + escaped.replace("\t", "\\t") + '"'


@st.composite
def env_files(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    lines: list[str] = []
    expected: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["plain", "single", "double", "comment", "blank"]))
        if kind == "comment":
            lines.append(
                "# " + draw(st.text(alphabet=string.printable.strip("\r\n\x0b\x0c"), max_size=20))
            )
            continue
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))
            continue
        name = draw(names)
        prefix = draw(st.sampled_from(["", "export ", "  "]))
        eq = draw(st.sampled_from(["=", " = ", "= "]))
        if kind == "plain":
            value = draw(plain_values)
            shown = value
        elif kind == "single":
            value = draw(single_values)
            shown = _single(value)
        else:
            value = draw(double_values)
            shown = _double(value)
        comment = draw(st.sampled_from(["", " # note", "  #"]))
        lines.append(f"{prefix}{name}{eq}{shown}{comment}")
        expected[name] = value
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines), expected


@given(env_files())
@example(("# \nA= # note", {"A": ""}))
@example(("A = #", {"A": ""}))  # a comment after '= ' is a comment, not the value
@example(("A='\\\\'", {"A": "\\"}))  # found by the long run: a lone backslash, written escaped
@example(("A='it\\'s'", {"A": "it's"}))
def test_fuzz_generated_env_files_parse_to_their_values(
    generated: tuple[str, dict[str, str]],
) -> None:
    text, expected = generated
    assert dotenv.parse(text) == expected


ENV_BITS = ["\x00", "\x1b[31m", "\r", "\ufeff", "[bold]", '"', "'", "\\"]
_LINE_ERROR = re.compile(r"\d+: ")


@st.composite
def mutated_env_files(draw: st.DrawFn) -> str:
    return mutate(draw, draw(env_files())[0], bits=ENV_BITS)


@given(mutated_env_files())
@example('A="x\\')  # a backslash as the last character of an unclosed value
@example("export")
@example("export =1")
def test_fuzz_mutated_env_files_give_values_or_a_line_error(text: str) -> None:
    try:
        values = dotenv.parse(text)
    except dotenv.ParseError as exc:
        assert _LINE_ERROR.match(str(exc)), str(exc)
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())


@given(
    st.one_of(
        st.binary(max_size=400),
        mutated_env_files().map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_fuzz_env_file_bytes_read_or_parse_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".env"
        path.write_bytes(raw)
        try:
            dotenv.read(path)
        except dotenv.ParseError as exc:
            assert str(exc).startswith(f"{path}:"), str(exc)


# --- the secret scanner's input ----------------------------------------------------------------

_ALNUM = string.ascii_letters + string.digits


def _body(n: int, alphabet: str = _ALNUM) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=n, max_size=n)


secrets = st.one_of(
    # prefixes joined at run time: no whole token sits in this file
    st.builds(lambda p, b: p + b, st.sampled_from(["sk_" + "live_", "rk_" + "test_"]), _body(32)),
    st.builds(lambda b: "gh" + "p_" + b, _body(36)),
    st.builds(lambda b: "AI" + "za" + b, _body(35, _ALNUM + "_-")),
    st.builds(lambda b: "AK" + "IA" + b, _body(16, string.ascii_uppercase + "234567")),
    st.builds(lambda b: "wh" + "sec_" + b, _body(32)),
)
_CONTEXTS = ("{s}", "TOKEN={s}", 'api_key = "{s}"', "const k = '{s}';", "url: https://x/?k={s}")


@st.composite
def files_with_secrets(draw: st.DrawFn) -> tuple[str, str]:
    secret = draw(secrets)
    line = draw(st.sampled_from(_CONTEXTS)).format(s=secret)
    before = draw(st.text(max_size=200))
    after = draw(st.text(max_size=200))
    return f"{before}\n{line}\n{after}", secret


def _no_leak(findings: list, secret: str) -> None:  # type: ignore[type-arg]
    for found in findings:
        for value in (found.redacted, found.title, found.path, found.fingerprint, repr(found)):
            assert secret not in value
        assert found.line >= 1


@given(files_with_secrets())
# found by the long run: a key holding "XXXX" is a placeholder by rule, so it is not reported
@example(
    ("\nghp_0000000000000000123456789ABCDEFGXXXX\n", "ghp_0000000000000000123456789ABCDEFGXXXX")
)
def test_fuzz_generated_secrets_are_found_and_redacted(generated: tuple[str, str]) -> None:
    text, secret = generated
    findings, suppressed = scan_text(text, "app/config.txt", where_of("app/config.txt"))
    assert suppressed == 0 or "allow" in text.lower()
    _no_leak(findings, secret)
    # a real-looking key is found; one holding a stand-in word ("xxxx", "todo") is a placeholder
    real = entropy(secret) >= 3.5 and not is_placeholder(secret)
    if real and "allow" not in text.lower():
        assert fingerprint(secret) in {found.fingerprint for found in findings}


@st.composite
def scanner_inputs(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["mutated", "binary", "huge", "text"]))
    secret = draw(secrets)
    if kind == "binary":
        return draw(st.binary(max_size=500)) + secret.encode() + draw(
            st.binary(max_size=50)
        ), secret
    if kind == "huge":
        filler = draw(st.sampled_from(["a", "A1", "=", "İ", " ", "\x00"]))
        return (filler * draw(st.integers(10_000, 300_000)) + secret + "\n").encode(), secret
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass"), secret
    text, secret = draw(files_with_secrets())
    return mutate(draw, text, bits=ENV_BITS).encode("utf-8", "surrogatepass"), secret


@given(scanner_inputs(), st.sampled_from(["config.txt", "package-lock.json", "x.min.js", ".env"]))
@example(("İ".encode() * 40 + b"gh" + b"p_" + b"A1" * 18, "gh" + "p_" + "A1" * 18), "a.txt")
def test_fuzz_scanner_input_gives_findings_or_nothing(
    generated: tuple[bytes, str], name: str
) -> None:
    raw, secret = generated
    report = Report(root="fuzz")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        scan_file(path, name, len(raw), report)
    _no_leak(report.findings, secret)
    assert secret not in repr(report)
