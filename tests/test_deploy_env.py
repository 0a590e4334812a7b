"""The domain side of deploy.env: the dotenv parser, kinds inferred from names, placeholders,
judging by kind, and the sprint file's [deploy] keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchtui.deploy import dotenv
from launchtui.deploy.env import Listing, judge, placeholder
from launchtui.errors import SprintFileError
from launchtui.model.env import EnvSource, EnvVar, infer_kind
from launchtui.model.results import Status
from launchtui.sprint import store

# -- the dotenv parser ----------------------------------------------------------------------


def test_dotenv_reads_quotes_exports_comments_and_multiline_values():
    text = (
        "# a comment\n"
        "\n"
        "export A=plain value   # trailing comment\n"
        "B='single $NOT_EXPANDED # not a comment'\n"
        'C="double\\nescaped \\"quote\\""\n'
        'D="first line\n'
        'second line"\n'
        "E=\n"
        "F=url#fragment\n"
        "  G = spaced  \n"
        "export\tH=tab\r\n"
        "A=later wins\n"
    )
    assert dotenv.parse(text) == {
        "A": "later wins",
        "B": "single $NOT_EXPANDED # not a comment",
        "C": 'double\nescaped "quote"',
        "D": "first line\nsecond line",
        "E": "",
        "F": "url#fragment",
        "G": "spaced",
        "H": "tab",
    }


def test_dotenv_multiline_single_quotes_and_lines_after_them():
    assert dotenv.parse("K='-----BEGIN KEY-----\nabc\n-----END KEY-----'\nN=1\n") == {
        "K": "-----BEGIN KEY-----\nabc\n-----END KEY-----",
        "N": "1",
    }


def test_dotenv_single_quotes_escape_only_the_quote_and_backslash_as_python_dotenv_does():
    text = "A='it\\'s'\nB='C:\\\\dir\\n'\nC='$HOME\\t'\n"
    assert dotenv.parse(text) == {"A": "it's", "B": "C:\\dir\\n", "C": "$HOME\\t"}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("JUST_A_NAME\n", "1: expected NAME=VALUE (no '=' on this line)"),
        ("A=1\n9BAD=2\n", "2: the text before '=' is not a variable name"),
        ("postgres://u:pw-Secret@h/x?a=b\n", "1: the text before '=' is not a variable name"),
        ('A=1\nB="never closed\nC=3\n', '2: B: the " quote is never closed'),
        ("A='x' trailing\n", "1: A: text after the closing quote"),
        ("A='\\'\n", "1: A: the ' quote is never closed"),  # \' escapes the quote
    ],
)
def test_dotenv_errors_name_the_line_and_never_the_value(text, error):
    with pytest.raises(dotenv.ParseError) as caught:
        dotenv.parse(text)
    assert str(caught.value) == error


def test_dotenv_refuses_a_huge_file(tmp_path):
    big = tmp_path / "big.env"
    big.write_bytes(b"A=" + b"x" * (dotenv.MAX_BYTES + 10))
    with pytest.raises(dotenv.ParseError, match="larger than"):
        dotenv.read(big)


# -- kinds and judging ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("DATABASE_URL", "database_url"),
        ("REDIS_URL", "database_url"),
        ("STRIPE_SECRET_KEY", "payment_key"),
        ("DEBUG", "bool"),
        ("APP_DEBUG", "bool"),
        ("APP_URL", "url"),
        ("NEXT_PUBLIC_SITE_URL", "url"),
        ("POSTMARK_TOKEN", "token"),
        ("SENDGRID_API_KEY", "token"),
        ("SESSION_SECRET", "secret"),
        ("STRIPE_WEBHOOK_SECRET", "secret"),
        ("SUPPORT_EMAIL", "email"),
        ("NODE_ENV", "generic"),
    ],
)
def test_kinds_are_inferred_from_names(name, kind):
    assert infer_kind(name) == kind


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "CHANGE_ME",
        "xxx",
        "sk_live_xxxxxxxxxxxx",
        "TODO",
        "<your stripe key>",
        "${DATABASE_URL}",
        "{{ secrets.token }}",
        "your-key-here",
        "https://app.example.com",
        "admin@example.org",
        "00000000",
        "your_api_key",
    ],
)
def test_placeholders_are_recognised(value):
    assert placeholder(value)


@pytest.mark.parametrize(
    "value", ["sk_live_51Hc8Zr2eZvKYlo2C0a1b2c3d", "postgres://u:p@db.acme-prod.net/app", "false"]
)
def test_real_values_are_not_placeholders(value):
    assert placeholder(value) == ""


LISTING = Listing("dotenv:.env", {})


@pytest.mark.parametrize(
    ("var", "value", "status"),
    [
        (EnvVar("APP_URL", "url"), "https://community.acme.net", Status.PASS),
        (EnvVar("APP_URL", "url"), "http://community.acme.net", Status.WARN),
        (EnvVar("APP_URL", "url"), "http://127.0.0.1:8000", Status.FAIL),
        (EnvVar("APP_URL", "url"), "https://acme.local", Status.FAIL),
        (EnvVar("APP_URL", "url"), "https://[::1]/", Status.FAIL),
        (EnvVar("APP_URL", "url"), "not a url", Status.FAIL),
        (EnvVar("APP_URL", "url"), "https://host:99999/", Status.FAIL),
        (EnvVar("DATABASE_URL", "database_url"), "postgres://u:p@db.acme.net/x", Status.PASS),
        (EnvVar("DATABASE_URL", "database_url"), "sqlite:///app.db", Status.WARN),
        (EnvVar("DATABASE_URL", "database_url"), "ftp://db.acme.net/x", Status.FAIL),
        (EnvVar("REDIS_URL", "database_url"), "redis://localhost:6379", Status.FAIL),
        (EnvVar("STRIPE_SECRET_KEY", "payment_key"), "sk_live_51Abcdefghijk", Status.PASS),
        (EnvVar("STRIPE_SECRET_KEY", "payment_key"), "rk_live_51Abcdefghijk", Status.PASS),
        (EnvVar("STRIPE_SECRET_KEY", "payment_key"), "sk_test_51Abcdefghijk", Status.FAIL),
        (EnvVar("STRIPE_SECRET_KEY", "payment_key"), "pk_live_51Abcdefghijk", Status.FAIL),
        (EnvVar("STRIPE_SECRET_KEY", "payment_key"), "something-else-0123456", Status.WARN),
        (EnvVar("PAYMENTS", "generic"), "sk_test_51Abcdefghijk", Status.FAIL),
        (EnvVar("SESSION_SECRET", "secret"), "short1", Status.WARN),
        (EnvVar("SESSION_SECRET", "secret"), "a8f3k29dj3kd93kd0s9dk3", Status.PASS),
        (EnvVar("SUPPORT_EMAIL", "email"), "help@acme.net", Status.PASS),
        (EnvVar("SUPPORT_EMAIL", "email"), "help", Status.FAIL),
        (EnvVar("DEBUG", "bool"), "true", Status.WARN),
        (EnvVar("DEBUG", "bool"), "0", Status.PASS),
        (EnvVar("FEATURE_X", "bool"), "maybe", Status.WARN),
        (EnvVar("FEATURE_X", "bool"), "true", Status.PASS),
        (EnvVar("NODE_ENV", "generic"), "production", Status.PASS),
        (EnvVar("NODE_ENV", "generic"), "   ", Status.FAIL),
    ],
)
def test_judging_by_kind(var, value, status):
    verdict = judge(var, value, True, LISTING)
    assert verdict.status is status, verdict.problems
    assert value.strip() == "" or all(value not in p for p in verdict.problems)


def test_missing_and_unreadable():
    assert judge(EnvVar("A", "generic"), None, False, LISTING).status is Status.FAIL
    fly = Listing("fly:app", {"A": None}, unreadable="names only")
    verdict = judge(EnvVar("A", "token"), None, True, fly)
    assert verdict.status is Status.PASS
    assert verdict.evidence["checked"] == "presence only"
    assert verdict.evidence["why_unreadable"] == "names only"


# -- the sprint file ------------------------------------------------------------------------

HEAD = '[sprint]\nname = "A"\n[site]\napex = "acme.community"\n[deploy]\n'


def load(tmp_path: Path, deploy: str):
    path = tmp_path / "acme.toml"
    path.write_text(HEAD + deploy, encoding="utf-8")
    return store.load(path).sprint


def test_env_required_takes_names_and_tables(tmp_path):
    sprint = load(
        tmp_path,
        'env_required = ["DATABASE_URL", { name = "APP_HOME", kind = "url" }, '
        '{ name = "MAINTENANCE", kind = "flag" }, { name = "NODE_ENV" }]\n'
        'env_source = "dotenv:../prod.env"\n',
    )
    assert sprint.env_required == ("DATABASE_URL", "APP_HOME", "MAINTENANCE", "NODE_ENV")
    assert sprint.env_vars == (
        EnvVar("DATABASE_URL", "database_url"),
        EnvVar("APP_HOME", "url", declared=True),
        EnvVar("MAINTENANCE", "bool", declared=True),
        EnvVar("NODE_ENV", "generic"),
    )
    assert sprint.env_source == EnvSource("dotenv", str(tmp_path.parent / "prod.env"))


@pytest.mark.parametrize(
    "source", ["environment", "heroku:acme-prod", "fly:acme", "vercel:prj_123", "render:srv-1"]
)
def test_env_sources(tmp_path, source):
    sprint = load(tmp_path, f'env_required = ["A"]\nenv_source = "{source}"\n')
    assert sprint.env_source is not None and sprint.env_source.text == source


@pytest.mark.parametrize(
    ("deploy", "error"),
    [
        ('env_required = [{ name = "A", kind = "colour" }]', 'unknown kind "colour"'),
        ('env_required = [{ kind = "url" }]', "env_required[0].name: required key is missing"),
        ('env_required = [{ name = "A", why = "x" }]', "unknown key"),
        ('env_required = ["A", "A"]', "A is listed twice"),
        ('env_required = ["lower"]', "expected an environment variable name"),
        ('env_source = "s3:bucket"', 'expected "dotenv:PATH"'),
        ('env_source = "heroku:"', 'expected "dotenv:PATH"'),
        ('env_source = "environment:x"', "takes nothing after it"),
        ('env_source = "fly:bad name"', 'expected "dotenv:PATH"'),
        ('env_source = "vercel:a/b"', "expected an app, project or service name"),
        ("env_source = 3", "expected a string"),
    ],
)
def test_invalid_deploy_keys_are_one_line_errors(tmp_path, deploy, error):
    with pytest.raises(SprintFileError) as caught:
        load(tmp_path, deploy + "\n")
    message = str(caught.value)
    assert error in message and "\n" not in message
