"""Property-based tests (issue 19) of MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): the two TXT
records and the policy file. Valid values built from the ABNF parse to what was generated;
mutated ones end in a record or policy with its errors listed, never an exception, and the
check's judging of the policy gives a verdict."""

from __future__ import annotations

from fuzz_net_strategies import mutated
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.checks.email.mta_sts import _judge_policy, _Verdict
from launchtui.email import mta_sts

alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ext_name = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", fullmatch=True)
ext_value = st.text(
    "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in ";="), min_size=1, max_size=12
)
wsp = st.sampled_from(["", " ", "\t"])
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
host = st.lists(label, min_size=2, max_size=4).map(".".join)


@st.composite
def sts_records(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    fields = {"id": draw(st.text(alnum, min_size=1, max_size=32))}
    for name in draw(st.lists(ext_name, max_size=3, unique=True)):
        if name != "id":
            fields[name] = draw(ext_value)
    specs = ["v=STSv1", *(f"{k}={v}" for k, v in draw(st.permutations(list(fields.items()))))]
    text = ";".join(draw(wsp) + spec + draw(wsp) for spec in specs) + draw(
        st.sampled_from(["", ";"])
    )
    return text, fields


@given(sts_records())
def test_fuzz_mta_sts_record_valid_values_parse_to_what_was_generated(
    case: tuple[str, dict[str, str]],
) -> None:
    text, fields = case
    record = mta_sts.parse_sts_record(text)
    assert record.valid, record.errors
    assert record.fields == fields


uri = st.one_of(
    st.builds("mailto:{}@{}".format, label, host),
    st.builds("https://{}/{}".format, host, label),
)


@st.composite
def tlsrpt_records(draw: st.DrawFn) -> tuple[str, list[str]]:
    uris = draw(st.lists(uri, min_size=1, max_size=3))
    rua = ",".join(draw(wsp) + u + draw(wsp) for u in uris).strip(" \t")
    return f"v=TLSRPTv1;{draw(wsp)}rua={rua}", uris


@given(tlsrpt_records())
def test_fuzz_tlsrpt_record_valid_values_parse_to_what_was_generated(
    case: tuple[str, list[str]],
) -> None:
    text, uris = case
    record = mta_sts.parse_tlsrpt_record(text)
    assert record.valid, record.errors
    assert [u.strip(" \t") for u in record.fields["rua"].split(",")] == uris


@given(mutated(st.one_of(sts_records().map(lambda c: c[0]), tlsrpt_records().map(lambda c: c[0]))))
@example("v=STSv1; id=[bold]x[/bold]")
@example("v=TLSRPTv1; rua=mailto:\x00@x.test,,")
def test_fuzz_mta_sts_and_tlsrpt_mutated_records_end_in_errors_listed(text: str) -> None:
    for parse in (mta_sts.parse_sts_record, mta_sts.parse_tlsrpt_record):
        record = parse(text)
        assert record.valid or all(isinstance(e, str) and e for e in record.errors)


@st.composite
def policies(draw: st.DrawFn) -> tuple[str, str, int, list[str]]:
    mode = draw(st.sampled_from(mta_sts.MODES))
    max_age = draw(st.integers(0, mta_sts.MAX_AGE_LIMIT))
    mx = draw(
        st.lists(
            st.builds(lambda wild, name: ("*." if wild else "") + name, st.booleans(), host),
            min_size=0 if mode == "none" else 1,
            max_size=3,
        )
    )
    lines = ["version: STSv1", f"mode: {mode}", f"max_age: {max_age}", *(f"mx: {m}" for m in mx)]
    order = draw(st.permutations(lines))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(f"{line}{draw(wsp)}" for line in order) + draw(st.sampled_from(["", end]))
    return text, mode, max_age, [line[4:] for line in order if line.startswith("mx: ")]


@given(policies())
def test_fuzz_mta_sts_policy_valid_files_parse_to_what_was_generated(
    case: tuple[str, str, int, list[str]],
) -> None:
    text, mode, max_age, mx = case
    policy = mta_sts.parse_policy(text)
    assert policy.valid, policy.errors
    assert (policy.mode, policy.max_age, policy.mx) == (mode, max_age, mx)
    for pattern in mx:
        sample = "mx1." + pattern[2:] if pattern.startswith("*.") else pattern
        assert mta_sts.mx_matches(pattern, sample)


@given(
    mutated(policies().map(lambda c: c[0])),
    st.lists(st.one_of(host, mutated(host)), max_size=3),
)
# "²".isdigit(): Policy.max_age called int("²") and raised ValueError
@example("version: STSv1\nmode: enforce\nmax_age: ²\nmx: mail.example.com\n", ["mail.example.com"])
@example("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: *.\n", ["", "."])
def test_fuzz_mta_sts_mutated_policies_end_in_a_verdict(text: str, hosts: list[str]) -> None:
    policy = mta_sts.parse_policy(text)
    assert isinstance(policy.max_age, int) and isinstance(policy.mode, str)
    verdict = _Verdict()
    _judge_policy(policy, hosts, verdict, {})
    assert all(isinstance(line, str) for line in verdict.failures + verdict.findings)
