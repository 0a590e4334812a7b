"""Every problem in a sprint file is one line naming the file, the line and the key."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from launchtui.errors import SprintFileError
from launchtui.model.sprint import NetworkConfig
from launchtui.sprint import store
from launchtui.sprint.locate import dotted, line_of, redefinition_line
from launchtui.sprint.validate import normalize_hostname

HEAD = """\
[sprint]
name = "Acme launch"

[site]
apex = "acme.community"
"""  # five lines; cases below start at line 6

STAGES = "audit, edge, deploy, performance, email, monitoring, handover"
RESULT = '[results.edge."tls.certificate"."app.acme.community"]\n'


def error_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | bytes) -> str:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "sprint.toml"
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(data)
    with pytest.raises(SprintFileError) as caught:
        store.load("sprint.toml")
    assert path.read_bytes() == data, "a failed load must not write"
    message = str(caught.value)
    assert "\n" not in message
    return message


BAD_FILES = [
    pytest.param(
        'name = "unterminated\n',
        "sprint.toml:1: invalid TOML: string not closed on line 1",
        id="malformed-toml",
    ),
    pytest.param(
        HEAD + "hostnames = ['www.example\ncanonical = 'x'\n",
        "sprint.toml:6: invalid TOML: string not closed on line 6",
        id="unclosed-literal-string",
    ),
    pytest.param(
        HEAD + "hostnames = [\n",
        "sprint.toml:6:1: invalid TOML: unexpected end of file",
        id="unclosed-array",
    ),
    pytest.param(
        HEAD + 'apex = "twice.example"\n',
        'sprint.toml:6: invalid TOML: Key "apex" already exists.',
        id="duplicate-key",
    ),
    pytest.param(
        '[site]\napex = "acme.community"\n',
        "sprint.toml:1: sprint: required key is missing",
        id="missing-sprint",
    ),
    pytest.param(
        '[sprint]\nname = "x"\n\n[site]\nhostnames = []\n',
        "sprint.toml:4: site.apex: required key is missing",
        id="missing-apex-points-at-table",
    ),
    pytest.param(
        "[sprint]\n# a comment\nname = 5\n[site]\napex = 'a.b'\n",
        "sprint.toml:3: sprint.name: expected a string, got an integer (5)",
        id="name-not-a-string",
    ),
    pytest.param(
        'site = 5\n[sprint]\nname = "x"\n',
        "sprint.toml:1: site: expected a table, got an integer (5)",
        id="site-not-a-table",
    ),
    pytest.param(
        HEAD.replace('name = "Acme launch"', 'name = "x"\nid = "Acme Launch"'),
        "sprint.toml:3: sprint.id: expected lowercase letters, digits, '.', '_' or '-', "
        'starting with a letter or digit, got "Acme Launch"',
        id="bad-sprint-id",
    ),
    pytest.param(
        HEAD.replace("acme.community", "acme"),
        'sprint.toml:5: site.apex: expected a DNS hostname, got "acme": needs at least two labels',
        id="apex-one-label",
    ),
    pytest.param(
        HEAD.replace("acme.community", "acme_co.community"),
        'sprint.toml:5: site.apex: expected a DNS hostname, got "acme_co.community": label '
        '"acme_co" may only hold letters, digits and hyphens',
        id="apex-underscore",
    ),
    pytest.param(
        HEAD.replace("acme.community", "-acme.community"),
        'label "-acme" starts or ends with a hyphen',
        id="apex-leading-hyphen",
    ),
    pytest.param(
        HEAD.replace("acme.community", "acme..community"),
        "has an empty label",
        id="apex-empty-label",
    ),
    pytest.param(
        HEAD.replace("acme.community", "a" * 64 + ".community"),
        "is longer than 63 characters",
        id="apex-long-label",
    ),
    pytest.param(
        HEAD.replace("acme.community", ".".join(["a" * 60] * 5)),
        "longer than 253 characters",
        id="apex-too-long",
    ),
    pytest.param(
        HEAD + 'hostnames = [\n  "www.acme.community",\n  "app acme.community",\n]\n',
        'sprint.toml:8: site.hostnames[1]: expected a DNS hostname, got "app acme.community"',
        id="bad-hostname-in-multiline-list",
    ),
    pytest.param(
        HEAD + 'hostnames = "www.acme.community"\n',
        'sprint.toml:6: site.hostnames: expected a list, got a string ("www.acme.community")',
        id="hostnames-not-a-list",
    ),
    pytest.param(
        HEAD + '\ncanonical = "app.acme"\n',
        'sprint.toml:7: site.canonical: expected an https:// or http:// URL, got "app.acme"',
        id="canonical-not-a-url",
    ),
    pytest.param(
        HEAD + 'redirects = [ { from = "http://acme.community/a", to = "/join" } ]\n',
        'sprint.toml:6: site.redirects[0].to: expected an https:// or http:// URL, got "/join"',
        id="redirect-relative-target",
    ),
    pytest.param(
        HEAD + '\n[[site.redirects]]\nfrom = "http://acme.community/a"\n',
        "sprint.toml:7: site.redirects[0].to: required key is missing",
        id="redirect-missing-target",
    ),
    pytest.param(
        HEAD + '[flows]\nlogin = "https://acme.community/login"\njoin = "ftp://acme.community"\n',
        'sprint.toml:8: flows.join: expected an https:// or http:// URL, got "ftp://acme.community"',
        id="flow-wrong-scheme",
    ),
    pytest.param(
        HEAD + '[flows]\nprivate = ["https://acme.community/a", "https://acme.community:99999/"]\n',
        "sprint.toml:7: flows.private[1]: expected an https:// or http:// URL",
        id="private-url-bad-port",
    ),
    pytest.param(
        HEAD + '[email]\nsmtp = { host = "smtp.example.com", port = 70000 }\n',
        "sprint.toml:7: email.smtp.port: expected a port number from 1 to 65535, "
        "got an integer (70000)",
        id="smtp-port-out-of-range",
    ),
    pytest.param(
        HEAD + '[email]\n[email.smtp]\nhost = "smtp.example.com"\nport = "587"\n',
        "sprint.toml:9: email.smtp.port: expected a port number from 1 to 65535, "
        'got a string ("587")',
        id="smtp-port-a-string",
    ),
    pytest.param(
        HEAD + '[email]\nsmtp = { tls = "ssl" }\n',
        'sprint.toml:7: email.smtp.tls: expected one of starttls, tls, none, got "ssl"',
        id="smtp-bad-tls",
    ),
    pytest.param(
        HEAD + '[email]\nseed_inboxes = ["seed@example.net"]\n',
        "sprint.toml:7: email.seed_inboxes[0]: expected a table like",
        id="seed-inbox-not-a-table",
    ),
    pytest.param(
        HEAD + '[email]\ndomain = "mail"\n',
        'sprint.toml:7: email.domain: expected a DNS hostname, got "mail"',
        id="email-domain",
    ),
    pytest.param(
        HEAD + '[email]\nsenders = ["postmark", true]\n',
        "sprint.toml:7: email.senders[1]: expected a string, got a boolean (true)",
        id="sender-not-a-string",
    ),
    pytest.param(
        HEAD + '[email]\nsenders = ["postmark", "mailjet"]\n',
        'sprint.toml:7: email.senders[1]: unknown sending service "mailjet" (known: amazon-ses,',
        id="sender-unknown",
    ),
    pytest.param(
        HEAD + '[email]\nunsubscribe = ["http://acme.community/unsubscribe"]\n',
        "sprint.toml:7: email.unsubscribe[0]: expected an https:// or mailto: URI, got "
        '"http://acme.community/unsubscribe"',
        id="unsubscribe-plain-http",
    ),
    pytest.param(
        HEAD + '[email]\nunsubscribe = ["https:///unsubscribe"]\n',
        'sprint.toml:7: email.unsubscribe[0]: "https:///unsubscribe" has no readable host',
        id="unsubscribe-no-host",
    ),
    pytest.param(
        HEAD + '[email]\nunsubscribe = ["mailto:a@x, <mailto:b@x>"]\n',
        'sprint.toml:7: email.unsubscribe[0]: "mailto:a@x, <mailto:b@x>": a URI cannot hold',
        id="unsubscribe-two-in-one",
    ),
    pytest.param(
        HEAD + '[email]\nunsubscribe = "https://acme.community/u"\n',
        "sprint.toml:7: email.unsubscribe: expected a list",
        id="unsubscribe-not-a-list",
    ),
    pytest.param(
        HEAD + '[deploy]\nenv_required = ["DATABASE_URL", "stripe_key"]\n',
        "sprint.toml:7: deploy.env_required[1]: expected an environment variable name like "
        'DATABASE_URL, got "stripe_key"',
        id="env-name-lowercase",
    ),
    pytest.param(
        HEAD + '[credentials]\nCloudflare-Token = "the API token"\n',
        "sprint.toml:7: credentials.Cloudflare-Token: a credential name uses lowercase letters",
        id="credential-name",
    ),
    pytest.param(
        HEAD + "[credentials]\nsmtp_password = 1234\n",
        "sprint.toml:7: credentials.smtp_password: expected a string, got an integer (1234)",
        id="credential-value-not-a-description",
    ),
    pytest.param(
        HEAD + '[monitoring]\nalert_email = "oncall at acme"\n',
        'sprint.toml:7: monitoring.alert_email: expected an email address, got "oncall at acme"',
        id="monitoring-bad-email",
    ),
    pytest.param(
        HEAD + '[credentials]\nsentry_dsn = "the DSN"\n[monitoring]\nslack_webhook = "slack"\n',
        'sprint.toml:9: monitoring.slack_webhook: credential "slack" is not declared in '
        "[credentials]",
        id="monitoring-undeclared-webhook",
    ),
    pytest.param(
        HEAD + '[monitoring]\nerror_dsn = "sentry_dsn"\n',
        'sprint.toml:7: monitoring.error_dsn: credential "sentry_dsn" is not declared in '
        "[credentials]",
        id="monitoring-undeclared-dsn",
    ),
    pytest.param(
        HEAD + "[monitoring]\nwatch_interval = 5\n",
        "sprint.toml:7: monitoring.watch_interval: expected 10 to 3600 seconds (the dashboard "
        "probes production that often), got 5",
        id="monitoring-watch-too-often",
    ),
    pytest.param(
        HEAD + "[monitoring]\nwatch_interval = 7200.5\n",
        "sprint.toml:7: monitoring.watch_interval: expected 10 to 3600 seconds (the dashboard "
        "probes production that often), got 7200.5",
        id="monitoring-watch-too-rarely",
    ),
    pytest.param(
        HEAD + '[monitoring]\nwatch_interval = "1m"\n',
        "sprint.toml:7: monitoring.watch_interval: expected a number of seconds, got a string "
        '("1m")',
        id="monitoring-watch-not-a-number",
    ),
    pytest.param(
        HEAD + "[monitoring]\nwatch_interval = true\n",
        "sprint.toml:7: monitoring.watch_interval: expected a number of seconds, got a boolean",
        id="monitoring-watch-boolean",
    ),
    pytest.param(
        HEAD + '[monitoring]\nalertmanager = "localhost:9093"\n',
        "sprint.toml:7: monitoring.alertmanager: expected an https:// or http:// URL, got "
        '"localhost:9093"',
        id="monitoring-alertmanager-not-a-url",
    ),
    pytest.param(
        HEAD + '[network]\nnameservers = ["127.0.0.1:99999"]\n',
        'sprint.toml:7: network.nameservers[0]: expected "host", "host:port" or "[ipv6]:port", '
        'got "127.0.0.1:99999"',
        id="nameserver-bad-port",
    ),
    pytest.param(
        HEAD + '[network]\ntimeout = "5s"\n',
        'sprint.toml:7: network.timeout: expected a number of seconds, got a string ("5s")',
        id="timeout-not-a-number",
    ),
    pytest.param(
        HEAD + "[network]\ntimeout = 0\n",
        "sprint.toml:7: network.timeout: expected more than 0 and at most 300 seconds, got 0",
        id="timeout-zero",
    ),
    pytest.param(
        HEAD + "[network]\ntimeout = true\n",
        "sprint.toml:7: network.timeout: expected a number of seconds, got a boolean (true)",
        id="timeout-boolean",
    ),
    pytest.param(
        HEAD + '[network]\nacme_directory = "http://acme.example/directory"\n',
        "sprint.toml:7: network.acme_directory: expected an https:// URL of an ACME directory, "
        'got "http://acme.example/directory"',
        id="acme-directory-not-https",
    ),
    pytest.param(
        HEAD + '[network]\ncaa_domain = "lab.example"\n',
        "sprint.toml:7: network.caa_domain: needs network.ca_bundle, the CA whose certificates "
        "it applies to",
        id="caa-domain-without-ca-bundle",
    ),
    pytest.param(
        HEAD + '[network]\nacme_directory = "acme.example"\n',
        "sprint.toml:7: network.acme_directory: expected an https:// or http:// URL",
        id="acme-directory-not-a-url",
    ),
    pytest.param(
        HEAD + '[network]\npublic_resolvers = ["1.1.1.1", "[::1"]\n',
        "sprint.toml:7: network.public_resolvers[1]: expected",
        id="resolver-bad-ipv6",
    ),
    pytest.param(
        HEAD + '[network]\nconnect_to = { "app.acme.community:443" = "127.0.0.1" }\n',
        'sprint.toml:7: network.connect_to."app.acme.community:443": expected "host:port" or '
        '"[ipv6]:port", got "127.0.0.1"',
        id="connect-to-without-port",
    ),
    pytest.param(
        HEAD + '[network]\n\nca_bundle = "missing-ca.pem"\n',
        "sprint.toml:8: network.ca_bundle: file not found: ",
        id="missing-ca-bundle",
    ),
    pytest.param(
        HEAD + '\n[results.deplyo."env.present"."DATABASE_URL"]\nstatus = "pass"\n',
        f'sprint.toml:7: results.deplyo: unknown stage "deplyo" (expected one of {STAGES})',
        id="unknown-stage-in-results",
    ),
    pytest.param(
        HEAD + '[progress]\nstage = "deplyo"\n',
        f'sprint.toml:7: progress.stage: unknown stage "deplyo" (expected one of {STAGES})',
        id="unknown-stage-in-progress",
    ),
    pytest.param(
        HEAD + RESULT + 'status = "passed"\nseverity = "high"\n',
        'sprint.toml:7: results.edge."tls.certificate"."app.acme.community".status: unknown '
        'status "passed" (expected one of pass, warn, fail, error, skip, manual)',
        id="bad-status",
    ),
    pytest.param(
        HEAD + RESULT + 'status = "pass"\nseverity = "critical"\n',
        'sprint.toml:8: results.edge."tls.certificate"."app.acme.community".severity: unknown '
        'severity "critical" (expected one of blocker, high, medium, low)',
        id="bad-severity",
    ),
    pytest.param(
        HEAD + RESULT + 'status = "pass"\n',
        'sprint.toml:6: results.edge."tls.certificate"."app.acme.community".severity: '
        "required key is missing",
        id="missing-severity",
    ),
    pytest.param(
        HEAD + RESULT + 'status = "pass"\nseverity = "low"\nduration_ms = -3\n',
        'sprint.toml:9: results.edge."tls.certificate"."app.acme.community".duration_ms: '
        "expected a whole number of at least 0, got an integer (-3)",
        id="negative-duration",
    ),
    pytest.param(
        HEAD + RESULT + 'status = "pass"\nseverity = "low"\nprevious = { status = "ok" }\n',
        'sprint.toml:9: results.edge."tls.certificate"."app.acme.community".previous.status: '
        'unknown status "ok"',
        id="bad-previous-status",
    ),
    pytest.param(
        HEAD + '[[runs]]\nat = "x"\n\n[[runs]]\nat = "y"\nstages = ["edge", "emails"]\n',
        'sprint.toml:11: runs[1].stages[1]: unknown stage "emails"',
        id="unknown-stage-in-run",
    ),
    pytest.param(
        HEAD + '[[runs]]\nat = "x"\ncounts = { pass = 1, passed = 2 }\n',
        'sprint.toml:8: runs[0].counts.passed: unknown status "passed"',
        id="unknown-status-in-run-counts",
    ),
    pytest.param(
        HEAD + '[tasks.handover]\nnote = "x"\n[tasks.hand-over]\n',
        'sprint.toml:8: tasks.hand-over: unknown stage "hand-over"',
        id="unknown-stage-in-tasks",
    ),
]


@pytest.mark.parametrize(("content", "expected"), BAD_FILES)
def test_a_bad_file_gets_one_line_naming_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, expected: str
) -> None:
    message = error_for(tmp_path, monkeypatch, content)
    assert message.startswith(expected) or expected in message, message


def test_not_utf8_names_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_for(tmp_path, monkeypatch, HEAD.encode() + b'client = "caf\xe9"\n')
    assert message.startswith("sprint.toml:6: not UTF-8 text")


def test_a_missing_file_says_how_to_create_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SprintFileError, match=r"^nope\.toml: no such file \(create one with"):
        store.load("nope.toml")


def test_a_file_outside_the_current_folder_is_named_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "inside").mkdir()
    monkeypatch.chdir(tmp_path / "inside")
    (tmp_path / "acme.toml").write_text(HEAD.replace("acme.community", "acme"))
    with pytest.raises(SprintFileError) as caught:
        store.load("../acme.toml")
    assert str(caught.value).startswith(f"{tmp_path / 'acme.toml'}:5: site.apex:")


def test_the_brief_example_builds_the_typed_view() -> None:
    document = store.load(Path(__file__).parent / "sprint_fixtures" / "acme.toml")
    sprint = document.sprint
    folder = document.path.parent
    assert sprint.id == "acme"
    assert sprint.site.all_hostnames == (
        "acme.community",
        "www.acme.community",
        "app.acme.community",
    )
    assert sprint.site.redirects[0].to_url == "https://app.acme.community/join"
    assert sprint.flows["checkout"] == "https://app.acme.community/checkout"
    assert "private" not in sprint.flows
    assert sprint.private_urls == ("https://app.acme.community/api/posts",)
    assert sprint.credentials["smtp_password"] == "SMTP relay password for test sends"
    assert sprint.env_required == ("DATABASE_URL", "STRIPE_SECRET_KEY", "POSTMARK_TOKEN")
    assert sprint.deploy_repo == folder.parent / "acme-app"
    assert sprint.network.nameservers == (("127.0.0.1", 5353),)
    assert sprint.network.public_resolvers[0] == ("1.1.1.1", 53)
    assert sprint.network.ca_bundle == folder / "lab-ca.pem"
    assert sprint.network.connect_to == {("app.acme.community", 443): ("127.0.0.1", 8443)}
    assert sprint.email.smtp is not None and sprint.email.smtp.port == 587
    assert sprint.email.from_address == "Acme Community <hello@acme.community>"
    assert sprint.email.seed_inboxes[0].imap == "imap.example.net:993"


def test_hostnames_are_stored_lowercase_ascii(tmp_path: Path) -> None:
    path = tmp_path / "club.toml"
    path.write_text(HEAD.replace("acme.community", "Bücher.Example") + 'hostnames = ["WWW.A.B"]\n')
    sprint = store.load(path).sprint
    assert sprint.site.apex == "xn--bcher-kva.example"
    assert sprint.site.hostnames == ("www.a.b",)
    assert sprint.email.domain == sprint.site.apex  # [email].domain defaults to the apex


def test_host_port_forms(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    resolvers = '["ns.example.net", "10.0.0.1:5353", "[::1]:53", "[2001:db8::1]", "::1"]'
    path.write_text(HEAD + f"[network]\nnameservers = {resolvers}\n")
    assert store.load(path).sprint.network.nameservers == (
        ("ns.example.net", 53),
        ("10.0.0.1", 5353),
        ("::1", 53),
        ("2001:db8::1", 53),
        ("::1", 53),
    )


def test_caa_domain_is_a_hostname_next_to_a_ca_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ca.pem").write_text("")
    path = tmp_path / "caa.toml"
    path.write_text(HEAD + '[network]\nca_bundle = "ca.pem"\ncaa_domain = "Lab.Example"\n')
    assert store.load(path).sprint.network.caa_domain == "lab.example"
    bad = HEAD + '[network]\nca_bundle = "ca.pem"\ncaa_domain = "not a domain"\n'
    message = error_for(tmp_path, monkeypatch, bad)
    assert message.startswith("sprint.toml:8: network.caa_domain: expected a DNS hostname"), message


def test_unknown_sections_and_keys_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "extra.toml"
    path.write_text(HEAD + 'owner = "ops"\n\n[custom]\nanything = [1, "two", { three = 3 }]\n')
    assert store.load(path).sprint.site.apex == "acme.community"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("acme.community", "acme.community"),
        ("APP.Acme.Community", "app.acme.community"),
        ("münchen.example", "xn--mnchen-3ya.example"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_normalize_hostname(name: str, expected: str) -> None:
    assert normalize_hostname(name) == expected


@pytest.mark.parametrize(
    "name", ["", "acme", "acme.", "a b.com", "acme-.com", "x" * 64 + ".com", "☃☃.-x.com"]
)
def test_normalize_hostname_rejects(name: str) -> None:
    with pytest.raises(ValueError):
        normalize_hostname(name)


LOCATE_TEXT = """\
# [not.a.header] = 1
title = "x"   # comment with [brackets] and "quotes"

[site]
apex = "acme.community"
notes = \"\"\"
[fake.header]
apex = "not this one"
\"\"\"
literal = '''
also = 'not a key'
'''
hostnames = [
  "www.acme.community",  # a comment, with a comma
  "app.acme.community",
]
smtp = { host = "h", port = 25 }
dotted.key.here = true
when = 1979-05-27 07:32:00Z

[ results . edge . "tls.certificate" . 'app.x.test' ]
status = "pass"

[results.edge."tls.certificate"."app.x.test".evidence]
"quoted \\"key\\"" = 1

[[site.redirects]]
from = "http://a"

[[site.redirects]]
to = "http://b"
"""


@pytest.mark.parametrize(
    ("key", "line"),
    [
        (("title",), 2),
        (("site",), 4),
        (("site", "apex"), 5),
        (("site", "literal"), 10),
        (("site", "hostnames"), 13),
        (("site", "hostnames", 0), 14),
        (("site", "hostnames", 1), 15),
        (("site", "smtp", "port"), 17),
        (("site", "dotted", "key", "here"), 18),
        (("site", "dotted"), 18),
        (("site", "when"), 19),
        (("results", "edge", "tls.certificate", "app.x.test", "status"), 22),
        (("results", "edge", "tls.certificate", "app.x.test"), 21),
        (("results", "edge"), 21),
        (("results", "edge", "tls.certificate", "app.x.test", "evidence", 'quoted "key"'), 25),
        (("site", "redirects", 0, "from"), 28),
        (("site", "redirects", 1), 30),
        (("site", "redirects", 1, "to"), 31),
        (("site", "redirects", 1, "missing"), 30),
        (("site", "missing"), 4),
        (("missing",), 1),
    ],
)
def test_line_of(key: tuple[str | int, ...], line: int) -> None:
    assert line_of(LOCATE_TEXT, key) == line
    assert line_of(LOCATE_TEXT.replace("\n", "\r\n"), key) == line


def test_line_of_survives_text_it_cannot_follow() -> None:
    assert line_of('[a]\nb = 1\n[c\nd = "', ("a", "b")) == 2
    assert line_of("x = ]", ("x",)) == 1


def test_redefinition_line() -> None:
    assert redefinition_line("[a]\nx = 1\n\ny = 2\nx = 3\n") == 5
    assert redefinition_line("[[a]]\nx = 1\n[[a]]\nx = 1\n") is None


def test_dotted() -> None:
    key = ("results", "edge", "tls.certificate", "app.x", "evidence", 'say "hi"', 0)
    assert dotted(key) == 'results.edge."tls.certificate"."app.x".evidence."say \\"hi\\""[0]'


def test_network_timeout_is_one_default_for_every_entry_point(tmp_path):
    """[network].timeout (5 s unless set) is what the app, check and the demo all use."""
    from launchtui.net.context import NetworkContext, with_overrides
    from launchtui.net.timeouts import Timeouts

    path = tmp_path / "sprint.toml"
    path.write_text(HEAD)
    assert store.load(path).sprint.network.timeout == 5.0
    path.write_text(HEAD + "[network]\ntimeout = 1.5\n")
    network = store.load(path).sprint.network
    assert network.timeout == 1.5

    async def limits(config: NetworkConfig) -> Timeouts:
        async with NetworkContext.create(config) as context:
            return context.timeouts

    assert asyncio.run(limits(network)) == Timeouts.uniform(1.5) == Timeouts(1.5, 1.5, 1.5, 3.0)
    assert asyncio.run(limits(with_overrides(network, timeout=0.5))).dns == 0.5
    assert with_overrides(network).timeout == 1.5


def test_help_says_a_sprint_file_opens_the_app(capsys: pytest.CaptureFixture[str]) -> None:
    from launchtui.cli.main import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "launchtui SPRINT" in out
    assert "open the terminal app on a sprint file" in out


PERF_BAD = [
    (
        '[performance]\nidentities = ["member_a"]\n',
        'sprint.toml:7: performance.identities[0]: credential "member_a" is not declared',
    ),
    (
        '[credentials]\na = "x"\nb = "y"\nc = "z"\n[performance]\nidentities = ["a", "b", "c"]\n',
        "sprint.toml:11: performance.identities: expected one or two credential names, got 3",
    ),
    (
        '[credentials]\na = "x"\n[performance]\nidentities = ["a", "a"]\n',
        "sprint.toml:9: performance.identities: the two identities must be different",
    ),
    (
        '[credentials]\na = "x"\n[performance]\nidentities = ["A b"]\n',
        "performance.identities[0]: a credential name uses lowercase letters, digits and '_'",
    ),
    (
        '[performance]\nrate_limit_probe = "yes"\n',
        'sprint.toml:7: performance.rate_limit_probe: expected true or false, got a string ("yes")',
    ),
]


@pytest.mark.parametrize(("content", "message"), PERF_BAD)
def test_the_performance_section_is_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    assert message in error_for(tmp_path, monkeypatch, HEAD + content)


def test_the_performance_section_builds_the_typed_view(tmp_path: Path) -> None:
    path = tmp_path / "sprint.toml"
    path.write_text(
        HEAD + '[credentials]\nmember_a = "cookie"\n[performance]\nidentities = ["member_a"]\n'
        "rate_limit_probe = true\n"
    )
    sprint = store.load(path).sprint
    assert sprint.perf_identities == ("member_a",) and sprint.rate_limit_probe
    path.write_text(HEAD)
    plain = store.load(path).sprint
    assert plain.perf_identities == () and not plain.rate_limit_probe


LOGS_BAD = [
    (
        '[logs]\nfiles = "access.log"\n',
        'sprint.toml:7: logs.files: expected a list, got a string ("access.log")',
    ),
    (
        "[logs]\nfiles = [3]\n",
        "sprint.toml:7: logs.files[0]: expected a string, got an integer (3)",
    ),
    (
        '[logs]\nfiles = ["a.log", " "]\n',
        "sprint.toml:7: logs.files[1]: expected a file name or glob pattern, got an empty string",
    ),
    (
        '[logs]\nfiles = ["logs/"]\n',
        'sprint.toml:7: logs.files[0]: expected files, got a folder "logs/" (add /*.log, say)',
    ),
    (
        '[logs]\nfiles = ["a\\u0007.log"]\n',
        'logs.files[0]: a file pattern cannot hold control characters, got "a\\u0007.log"',
    ),
    (
        '[logs]\nfiles = [\n  "logs/*.log",\n  "./logs/*.log",\n]\n',
        'sprint.toml:9: logs.files[1]: "./logs/*.log" names the files of entry 0 again',
    ),
    ("[logs]\nfiles = {}\n", "sprint.toml:7: logs.files: expected a list, got a table"),
]


@pytest.mark.parametrize(("content", "message"), LOGS_BAD)
def test_the_logs_section_is_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    assert message in error_for(tmp_path, monkeypatch, HEAD + content)


def test_log_patterns_resolve_against_the_sprint_files_folder(tmp_path: Path) -> None:
    path = tmp_path / "sprints" / "sprint.toml"
    path.parent.mkdir()
    path.write_text(
        HEAD + '[logs]\nfiles = ["app/logs/access.log*", "../shared/*.log", "/var/log/app.log"]\n'
    )
    assert store.load(path).sprint.logs == (
        str(tmp_path / "sprints" / "app" / "logs" / "access.log*"),
        str(tmp_path / "shared" / "*.log"),
        "/var/log/app.log",
    )
    path.write_text(HEAD)
    assert store.load(path).sprint.logs == ()
