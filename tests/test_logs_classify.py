"""launchtui.logs.classify and template: the class table and message templates (issue 15)."""

from __future__ import annotations

import pytest

from launchtui.logs.classify import FlowPaths, classify
from launchtui.logs.template import MAX_TEMPLATE, template
from launchtui.model.logs import AUTH, PAYMENT, SERVER, WEBHOOK


@pytest.mark.parametrize(
    ("status", "path", "level", "message", "classes"),
    [
        (401, "/login", "", "", {AUTH}),
        (403, "/api/v1/login", "", "", {AUTH}),
        (429, "/join", "", "", {AUTH}),
        (401, "/invite/abc123", "", "", {AUTH}),
        (401, "/wp-login.php", "", "", {AUTH}),
        (401, "/posts", "", "", set()),
        (401, "/loginx", "", "", set()),
        (404, "/login", "", "", set()),
        (200, "/login", "", "", set()),
        (None, "", "warn", "Login failed for user 42", {AUTH}),
        (None, "", "info", "invalid password", {AUTH}),
        (None, "", "warn", "Authentication failed: bad token", {AUTH}),
        (None, "", "warn", "invalid credentials", {AUTH}),
        (402, "/checkout", "", "", {PAYMENT}),
        (422, "/billing/portal", "", "", {PAYMENT}),
        (500, "/checkout", "", "", {PAYMENT, SERVER}),
        (401, "/checkout", "", "", set()),
        (403, "/payments", "", "", set()),
        (404, "/checkout", "", "", set()),
        (429, "/checkout", "", "", set()),
        (None, "", "warn", "Stripe error: card_declined (insufficient_funds)", {PAYMENT}),
        (None, "", "error", "StripeCardError: Your card was declined.", {PAYMENT, SERVER}),
        (None, "", "warn", "payment failed for invoice in_1ABC", {PAYMENT}),
        (500, "/webhooks/stripe", "", "", {WEBHOOK, SERVER}),
        (400, "/webhooks/stripe", "", "", set()),
        (
            None,
            "",
            "warn",
            "No signatures found matching the expected signature for payload",
            {WEBHOOK},
        ),
        (None, "", "error", "stripe.error.SignatureVerificationError: bad", {WEBHOOK, SERVER}),
        (None, "", "error", "StripeSignatureVerificationError", {WEBHOOK, SERVER}),
        (None, "", "warn", "Webhook signature verification failed", {WEBHOOK}),
        (503, "/posts", "", "", {SERVER}),
        (None, "", "fatal", "out of memory", {SERVER}),
        (None, "", "critical", "disk full", {SERVER}),
        (404, "/posts/9", "error", "not found", set()),  # the client's error, logged loudly
        (401, "/login", "error", "login failed", {AUTH}),
        (502, "/posts", "error", "upstream timed out", {SERVER}),
        (None, "", "info", "user logged in", set()),
        (200, "/checkout", "info", "checkout complete", set()),
    ],
)
def test_class_table(
    status: int | None, path: str, level: str, message: str, classes: set[str]
) -> None:
    assert classify(status, path, level=level, message=message) == classes


def test_flow_paths_from_sprint_flows() -> None:
    paths = FlowPaths.from_flows(
        {
            "login": "https://acme.community/account/enter",
            "join": "https://acme.community/become-member",
            "checkout": "https://acme.community/shop/pay",
            "posts": "https://acme.community/posts",
            "health": "https://acme.community/",
        }
    )
    assert paths.login[0] == "/account/enter" and "/login" in paths.login
    assert classify(401, "/account/enter", paths=paths) == {AUTH}
    assert classify(429, "/become-member", paths=paths) == {AUTH}
    assert classify(500, "/shop/pay/confirm", paths=paths) == {PAYMENT, SERVER}
    assert classify(401, "/posts", paths=paths) == set()
    assert classify(401, "/", paths=paths) == set()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("User 1234 login failed from 10.0.0.1", "User 98 login failed from 192.168.1.20"),
        (
            "order 6f1e2d3c-aaaa-bbbb-cccc-0123456789ab failed for bob@example.com",
            "order 00000000-1111-2222-3333-444444444444 failed for eve@mail.example.org",
        ),
        (
            "Stripe: card_declined on pi_3NvX8k2eZvKYlo2C",
            "Stripe: card_declined on pi_9ZzX1k2eZvKYlo9Q",
        ),
        (  # Stripe ids need not hold a digit
            "Stripe charge failed for customer cus_vlsgJKDrfKnJJc: card_declined",
            "Stripe charge failed for customer cus_NffrFeUfNV2Hib: card_declined",
        ),
        ("commit deadbeef1234 failed", "commit 0123abcd5678ef failed"),
        ("GET /x?token=abc&id=9 timed out", "GET /x?token=zzz&id=12345 timed out"),
        ('key "alpha" missing', 'key "beta" missing'),
        ("peer 2001:db8::1 reset", "peer fe80::a:b reset"),
    ],
)
def test_same_template_for_messages_differing_in_ids(a: str, b: str) -> None:
    assert template(a) == template(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("login failed for user 1", "payment failed for user 1"),
        ("card_declined", "expired_card"),
        ("error card_declined_by_issuer", "error invalid_request_error"),  # words, not ids
        ("timeout talking to stripe", "timeout talking to postgres"),
    ],
)
def test_different_templates_for_different_messages(a: str, b: str) -> None:
    assert template(a) != template(b)


def test_template_masks_and_bounds() -> None:
    assert template("User 1234 login failed from 10.0.0.1 (alice@example.com)") == (
        "User <n> login failed from <ip> (<email>)"
    )
    long = template("x" * 10_000 + " 1")
    assert len(long) == MAX_TEMPLATE and long.endswith("…")
    assert template("  a\t\n b ") == "a b"
    assert template("same 1") == template("same 1")
