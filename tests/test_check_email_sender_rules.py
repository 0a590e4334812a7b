"""email.sender-rules end to end (issue 20): `launchtui email-test` sends every template through
the lab relay to the real Dovecot seed inboxes, each delivered message is judged as received,
and the check reads the log. Each rule is made to pass and fail by the lab relay's options
(signing, unsubscribe headers, TLS on the delivery hop, the sending address's reverse DNS) and
the sprint's [email] settings. The providers' pages: Gmail support.google.com/a/answer/81126,
Yahoo senders.yahooinc.com/best-practices, Outlook.com's May 2025 high-volume requirements.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
from check_helpers import lab_sprint, run_check
from mail_fixtures import edit_email, require_dovecot

from launchtui.cli.main import main
from launchtui.email.delivery_log import saved_email_tests
from launchtui.email.sender_rules import RULES
from launchtui.lab import Lab, LabThread, demo_config
from launchtui.model.results import Result, Severity, Status
from launchtui.reports import handover, handover_markdown
from launchtui.sprint import store

pytest_plugins = ["mail_fixtures"]

CHECK = "email.sender-rules"
ZONE = "harborclub.test"
DMARC = "v=DMARC1; p=none; rua=mailto:dmarc@harborclub.test"
ALL_PASS = dict.fromkeys(RULES, "pass")


def started(
    tmp_path_factory: pytest.TempPathFactory, spf: str = "", **options: object
) -> Iterator[Lab]:
    """The demo lab with a DMARC record (so DMARC can pass), the relay options given, and
    another SPF record when `spf` is given."""
    require_dovecot()
    config = dataclasses.replace(demo_config(base_port=0), **options)  # type: ignore[arg-type]
    config.txt[f"_dmarc.{ZONE}"] = [DMARC]
    if spf:
        config.txt[ZONE] = [spf]
    with LabThread(config, tmp_path_factory.mktemp("rules")) as lab:
        yield lab


@pytest.fixture(scope="module")
def sound_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    yield from started(tmp_path_factory)


@pytest.fixture(scope="module")
def careless_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A relay that strips the unsubscribe headers and delivers without TLS, from an address
    whose PTR name resolves elsewhere."""
    yield from started(
        tmp_path_factory, relay_unsubscribe="strip", relay_tls=False, sending_rdns="mismatch"
    )


@pytest.fixture(scope="module")
def unsigned_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A relay that does not sign at all, from an address without reverse DNS."""
    yield from started(tmp_path_factory, relay_dkim=False, sending_rdns="none")


@pytest.fixture(scope="module")
def unlisted_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """An SPF record that does not list the relay's address."""
    yield from started(tmp_path_factory, spf="v=spf1 ip4:192.0.2.1 -all")


@pytest.fixture(scope="module")
def late_lists_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A relay that signs, but not over the unsubscribe headers."""
    yield from started(tmp_path_factory, relay_unsubscribe="unsigned")


def sent(
    lab: Lab,
    directory: Path,
    monkeypatch: pytest.MonkeyPatch,
    *templates: str,
    **email: object,
) -> Path:
    """A lab sprint (with [email] keys changed) after a delivery test of `templates` (all by
    default), logged to the sprint file."""
    for name, value in lab.credential_environment().items():
        monkeypatch.setenv(name, value)
    path = lab.write_sprint(directory / "lab.toml")
    if email:
        edit_email(path, **email)
    for template in templates or ("all",):
        code = main(["email-test", str(path), "--template", template, "--timeout", "30"])
        assert code in (0, 1)
    return path


def judged(path: Path) -> Result:
    return run_check(CHECK, store.load(path).sprint, ZONE)


def rules_of(result: Result, template: str) -> dict[str, str]:
    rules: dict[str, str] = result.evidence["templates"][template]["rules"]
    return rules


def test_every_rule_met_passes_for_every_provider(sound_lab, tmp_path, monkeypatch, capsys):
    result = judged(sent(sound_lab, tmp_path, monkeypatch))
    assert result.status is Status.PASS, result.summary
    assert result.severity is Severity.HIGH
    assert result.summary.startswith(
        "Gmail met, Yahoo met, Outlook.com met (5 templates judged) (tested 20"
    )
    announcement = result.evidence["templates"]["launch-announcement"]
    assert set(announcement["rules"].values()) == {"pass"}
    assert announcement["providers"] == {"gmail": "meets", "yahoo": "meets", "outlook": "meets"}
    assert announcement["seen"]["unsubscribe"] == (
        f"List-Unsubscribe: <https://{ZONE}/unsubscribe>, <mailto:unsubscribe@{ZONE}>; "
        "one-click POST, signed"
    )
    assert announcement["seen"]["rdns"] == f"127.0.0.1 -> mail.{ZONE} -> 127.0.0.1"
    assert rules_of(result, "welcome")["unsubscribe"] == "n/a"
    assert "spam-complaint rate" in result.evidence["not_measured"]
    out = capsys.readouterr().out  # the delivery log as printed shows the judgement
    assert "unsubscribe: List-Unsubscribe: <https://harborclub.test/unsubscribe>" in out
    assert "rdns: 127.0.0.1 -> mail.harborclub.test -> 127.0.0.1" in out
    assert "providers: Gmail meets, Yahoo meets, Outlook.com meets" in out


def test_the_handover_carries_the_rule_table(sound_lab, tmp_path, monkeypatch):
    document = store.load(sent(sound_lab, tmp_path, monkeypatch, "launch-announcement"))
    markdown = handover_markdown.render_markdown(document)
    assert "## Mailbox providers' sender rules" in markdown
    row = "| launch-announcement | 20"
    assert row in markdown
    line = next(line for line in markdown.splitlines() if line.startswith(row))
    assert line.endswith(
        "| pass | pass | pass | pass | pass | pass | pass | pass | pass | meets | meets | meets |"
    )
    assert "https://support.google.com/a/answer/81126" in markdown
    data = handover.to_data(document)["sender_rules"]
    assert [t["template"] for t in data["templates"]] == ["launch-announcement"]
    assert data["templates"][0]["providers"]["yahoo"] == "meets"
    assert [p["key"] for p in data["providers"]] == ["gmail", "yahoo", "outlook"]


def test_without_unsubscribe_uris_the_announcement_fails_with_the_headers_to_add(
    sound_lab, tmp_path, monkeypatch
):
    path = sent(sound_lab, tmp_path, monkeypatch, "launch-announcement", unsubscribe=[])
    result = judged(path)
    assert result.status is Status.FAIL
    assert "Gmail NOT met, Yahoo NOT met, Outlook.com met" in result.summary
    assert "failing: unsubscribe (launch-announcement)" in result.summary
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in result.fix
    assert f"List-Unsubscribe: <https://{ZONE}/unsubscribe?m=MEMBER-TOKEN>" in result.fix


def test_a_mailto_only_unsubscribe_warns(sound_lab, tmp_path, monkeypatch):
    path = sent(
        sound_lab,
        tmp_path,
        monkeypatch,
        "launch-announcement",
        unsubscribe=[f"mailto:unsubscribe@{ZONE}"],
    )
    result = judged(path)
    assert result.status is Status.WARN, result.summary
    assert "warning: unsubscribe (launch-announcement)" in result.summary


def test_an_untested_announcement_warns(sound_lab, tmp_path, monkeypatch):
    result = judged(sent(sound_lab, tmp_path, monkeypatch, "welcome"))
    assert result.status is Status.WARN
    assert "the launch announcement was not tested" in result.summary


def test_a_stripping_relay_without_tls_from_a_mismatched_address_fails_three_rules(
    careless_lab, tmp_path, monkeypatch
):
    # The announcement was sent with one-click headers: the relay dropped them, and the rule
    # is judged on what arrived.
    result = judged(sent(careless_lab, tmp_path, monkeypatch))
    assert result.status is Status.FAIL
    rules = rules_of(result, "launch-announcement")
    assert (rules["unsubscribe"], rules["tls"], rules["rdns"]) == ("fail", "fail", "fail")
    assert rules["dkim"] == rules["dmarc"] == "pass"
    assert "failing: unsubscribe (launch-announcement); tls (every template); rdns (every" in (
        result.summary
    )
    seen = result.evidence["templates"]["welcome"]["seen"]
    assert seen["tls"] == f"not over TLS: mail.{ZONE} -> mx.seedmail.test (ESMTP)"
    assert seen["rdns"] == (
        "127.0.0.1 -> host-127-0-0-1.dsl.isp.test, which does not resolve back to 127.0.0.1"
    )
    assert "Turn on TLS for outgoing SMTP" in result.fix
    assert "host-127-0-0-1.dsl.isp.test. A 127.0.0.1" in result.fix
    providers = result.evidence["templates"]["welcome"]["providers"]
    assert providers == {"gmail": "misses: tls, rdns", "yahoo": "misses: rdns", "outlook": "meets"}


def test_an_unsigned_relay_without_reverse_dns_fails_dkim_and_rdns(
    unsigned_lab, tmp_path, monkeypatch
):
    result = judged(sent(unsigned_lab, tmp_path, monkeypatch, "invite"))
    assert result.status is Status.FAIL
    rules = rules_of(result, "invite")
    assert (rules["dkim"], rules["dkim-domain"], rules["rdns"]) == ("fail", "fail", "fail")
    assert rules["spf"] == rules["dmarc"] == "pass"  # DMARC passes on aligned SPF alone
    assert result.evidence["templates"]["invite"]["seen"]["rdns"] == (
        "127.0.0.1 has no PTR record (1.0.0.127.in-addr.arpa)"
    )
    assert "1.0.0.127.in-addr.arpa. PTR mail.<your domain>." in result.fix
    assert result.evidence["templates"]["invite"]["providers"]["outlook"] == "misses: dkim"


def test_an_spf_record_without_the_relay_fails_spf_while_dkim_keeps_dmarc(
    unlisted_lab, tmp_path, monkeypatch
):
    result = judged(sent(unlisted_lab, tmp_path, monkeypatch, "receipt"))
    assert result.status is Status.FAIL
    rules = rules_of(result, "receipt")
    assert (rules["spf"], rules["dkim"], rules["dmarc"]) == ("fail", "pass", "pass")
    assert result.evidence["templates"]["receipt"]["seen"]["spf"].startswith("SPF fail")
    assert "Authorize the relay's sending addresses in the SPF record" in result.fix


@pytest.mark.parametrize(
    ("sender", "status", "seen"),
    [
        (f"hello@{ZONE}", "warn", f"From: <hello@{ZONE}>: no display name"),
        ("Harbor Club <hello@elsewhere.test>", "fail", f"not on {ZONE}"),
    ],
)
def test_the_from_rule_on_delivered_mail(sound_lab, tmp_path, monkeypatch, sender, status, seen):
    path = sent(sound_lab, tmp_path, monkeypatch, "welcome", **{"from": sender})
    result = judged(path)
    assert rules_of(result, "welcome")["from"] == status
    assert seen in result.evidence["templates"]["welcome"]["seen"]["from"]


def test_unsubscribe_headers_outside_the_signature_fail(late_lists_lab, tmp_path, monkeypatch):
    result = judged(sent(late_lists_lab, tmp_path, monkeypatch, "launch-announcement"))
    assert result.status is Status.FAIL
    seen = result.evidence["templates"]["launch-announcement"]["seen"]["unsubscribe"]
    assert seen.endswith(
        "one-click, but the DKIM signature does not cover list-unsubscribe, "
        "list-unsubscribe-post (RFC 8058 section 4)"
    )


def test_the_demo_without_dmarc_fails_on_dmarc_for_every_template(mail_lab, tmp_path, monkeypatch):
    result = judged(sent(mail_lab, tmp_path, monkeypatch))
    assert result.status is Status.FAIL
    assert "failing: dmarc (every template)" in result.summary
    assert "v=DMARC1; p=none" in result.fix


# --- before and around a test: skip, manual, error, stale -----------------------------------


def test_no_seed_inbox_test_configured_skips(mail_lab, tmp_path):
    path = mail_lab.write_sprint(tmp_path / "lab.toml")
    document = tomlkit.parse(path.read_text())
    del document["email"]["seed_inboxes"]
    path.write_text(tomlkit.dumps(document))
    result = judged(path)
    assert result.status is Status.SKIP
    assert "no seed inbox test configured" in result.summary


def test_before_any_test_it_asks_a_person_to_run_one(mail_lab, tmp_path):
    result = run_check(CHECK, lab_sprint(mail_lab, tmp_path), ZONE)
    assert result.status is Status.MANUAL
    assert "no delivery test logged yet: run `launchtui email-test lab.toml`" in result.summary


def _logged(path: Path, **entry: object) -> Path:
    document = tomlkit.parse(path.read_text())
    tests = document.setdefault("email_tests", tomlkit.aot())
    table = tomlkit.table()
    table.update({"at": "2026-12-01T09:00:00Z", "template": "launch-announcement", **entry})
    tests.append(table)
    path.write_text(tomlkit.dumps(document))
    return path


def test_a_latest_test_that_delivered_nothing_is_an_error(mail_lab, tmp_path):
    path = _logged(
        mail_lab.write_sprint(tmp_path / "lab.toml"),
        status="not delivered",
        error="not found in the inbox or spam folder within 60 s",
    )
    result = judged(path)
    assert result.status is Status.ERROR
    assert result.summary.startswith(
        "could not check: no message of the latest delivery test was delivered and judged "
        "(launch-announcement)"
    )


def test_a_rule_that_could_not_be_judged_is_an_error_never_a_pass(mail_lab, tmp_path):
    path = _logged(
        mail_lab.write_sprint(tmp_path / "lab.toml"),
        status="inbox",
        sender_rules={**ALL_PASS, "rdns": "unknown"},
        sender_seen={"rdns": "reverse DNS of 192.0.2.1 not answered: timed out"},
    )
    result = judged(path)
    assert result.status is Status.ERROR
    assert result.summary == "could not judge rdns (launch-announcement): run the test again"


def test_a_hand_edited_status_is_read_as_unknown(mail_lab, tmp_path):
    path = _logged(
        mail_lab.write_sprint(tmp_path / "lab.toml"),
        status="inbox",
        sender_rules={**ALL_PASS, "from": "[bold]fine[/]"},
    )
    result = judged(path)
    assert result.status is Status.ERROR
    assert "could not judge from (launch-announcement)" in result.summary


def test_a_template_whose_latest_test_delivered_nothing_warns(mail_lab, tmp_path):
    path = _logged(
        mail_lab.write_sprint(tmp_path / "lab.toml"), status="inbox", sender_rules=ALL_PASS
    )
    path = _logged(path, template="invite", status="not delivered", error="not found")
    result = judged(path)
    assert result.status is Status.WARN, result.summary
    assert "not judged: invite (nothing delivered in its latest test)" in result.summary
    assert result.evidence["not_judged"] == ["invite"]


def test_a_month_old_test_warns(mail_lab, tmp_path):
    path = _logged(
        mail_lab.write_sprint(tmp_path / "lab.toml"),
        at="2026-01-02T09:00:00Z",
        status="inbox",
        sender_rules=ALL_PASS,
    )
    result = judged(path)
    assert result.status is Status.WARN
    assert "days old: run it again" in result.summary


def test_an_unreadable_sprint_file_is_an_error(mail_lab, tmp_path):
    path = mail_lab.write_sprint(tmp_path / "lab.toml")
    sprint = store.load(path).sprint
    path.write_text("[sprint\n")
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.ERROR
    assert result.summary.startswith("could not read the delivery log: ")


def test_the_log_keeps_the_judgement_without_secrets(sound_lab, tmp_path, monkeypatch):
    path = sent(sound_lab, tmp_path, monkeypatch, "launch-announcement")
    (entry, _) = saved_email_tests(store.load(path))
    assert entry["sender_rules"]["unsubscribe"] == "pass"
    assert entry["providers"] == {"gmail": "meets", "yahoo": "meets", "outlook": "meets"}
    assert entry["sender_fixes"] == {}
    text = path.read_text()
    for value in sound_lab.credential_environment().values():
        assert value not in text
