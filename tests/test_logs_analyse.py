"""Daily risk notes from constructed log events: spikes over a steady week, the floor, MAD-zero
and missing baselines, recurring and new templates, bounded memory, hostile text, redaction."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from launchtui.logs.analyse import FLOOR, analyse, is_deploy, is_spike, over_baseline, shown
from launchtui.model.logs import AUTH, COMBINED, JSON_LINES, PAYMENT, SERVER, WEBHOOK, LogEvent

DAY0 = date(2026, 11, 23)  # a Monday; the week runs to DAY0 + 6


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(DAY0.year, DAY0.month, DAY0.day, hour, minute, second, tzinfo=UTC) + timedelta(
        days=day
    )


def login_failure(when: datetime, client: str = "203.0.113.7", line: int = 1) -> LogEvent:
    text = f'{client} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "POST /login HTTP/1.1" 401 12 "-" "curl"'
    return LogEvent(
        at=when,
        source="access.log",
        line=line,
        text=text,
        format=COMBINED,
        status=401,
        method="POST",
        path="/login",
        client=client,
        classes=frozenset({AUTH}),
    )


def app_error(when: datetime, message: str, cls: str = PAYMENT, text: str = "") -> LogEvent:
    return LogEvent(
        at=when,
        source="app.log",
        line=1,
        text=text or f'{{"level":"error","msg":"{message}"}}',
        format=JSON_LINES,
        level="error",
        message=message,
        classes=frozenset({cls}),
    )


def quiet_line(when: datetime) -> LogEvent:
    """A request in no class: the logs reach `when`."""
    return LogEvent(
        at=when,
        source="access.log",
        line=9,
        text="GET / 200",
        format=COMBINED,
        status=200,
        method="GET",
        path="/",
        classes=frozenset(),
    )


def steady_week(per_hour: int = 2, days: int = 7) -> Iterator[LogEvent]:
    """`per_hour` failed logins in every hour of every day."""
    for day in range(days):
        for hour in range(24):
            for n in range(per_hour):
                yield login_failure(at(day, hour, n))


def test_a_spike_at_a_known_hour_over_a_steady_week_is_flagged_with_what_is_behind_it():
    spike = [login_failure(at(7, 14, n % 60, n // 60), f"198.51.100.{n % 3}") for n in range(120)]
    digest = analyse([*steady_week(), *spike, quiet_line(at(7, 23, 59, 30))])  # a whole day
    assert [note.day for note in digest.days] == [DAY0 + timedelta(days=n) for n in range(8)]
    assert [note.unusual for note in digest.days] == [0] * 7 + [1]
    latest = digest.days[-1]
    (found,) = latest.figures["findings"]
    assert found["start_hour"] == found["end_hour"] == 14 and found["class"] == AUTH
    assert found["count"] == 120
    (hour,) = found["per_hour"]
    assert hour["baseline"] == {"median": 2.0, "mad": 0.0, "days": 7, "counts": [2] * 7}
    assert found["paths"] == [["/login", 120]]
    assert [c for c, _n in found["clients"]][:3] == ["198.51.100.0", "198.51.100.1", "198.51.100.2"]
    assert len(found["samples"]) == 3
    assert "14:00–14:59 UTC: 120" in latest.markdown
    assert "median 2, MAD 0 over 7 earlier days" in latest.markdown
    assert digest.figures["findings_latest"] == 1


def test_three_failed_logins_on_a_quiet_site_are_not_flagged():
    quiet = [login_failure(at(day, 3)) for day in range(7) if day % 3 == 0]
    burst = [login_failure(at(7, 3, n)) for n in range(3)]
    digest = analyse([*quiet, *burst])
    assert digest.days[-1].unusual == 0
    assert "Nothing unusual" in digest.days[-1].markdown


@pytest.mark.parametrize(
    ("count", "counts", "flagged"),
    [
        (FLOOR - 1, (0,) * 7, False),  # below the floor, whatever the baseline
        (FLOOR, (0,) * 7, True),  # exactly at the floor over a zero MAD-zero baseline
        (FLOOR, (5,) * 7, False),  # MAD zero: needs median + 5 and 3 x median (15)
        (14, (5,) * 7, False),  # above median + 5 but under 3 x median
        (15, (5,) * 7, True),  # both: 15 > 10 and 15 >= 3 x 5
        (29, (10, 20, 10, 20, 10, 20, 10), False),  # median 10, MAD 0: 29 < 3 x 10
        (30, (10, 20, 10, 20, 10, 20, 10), True),
        (40, (30,) * 7, False),  # busier than usual, not 3 x
        (50, (), False),  # no earlier day: no baseline yet, nothing flagged
    ],
)
def test_the_spike_rule_at_its_edges(count: int, counts: tuple[int, ...], flagged: bool) -> None:
    assert is_spike(count, counts)[0] is flagged


def test_the_baseline_is_the_median_and_mad_of_the_same_hour():
    flagged, baseline, threshold = is_spike(40, (2, 4, 3, 50, 3, 2, 4))
    assert (baseline.median, baseline.mad) == (3.0, 1.0)
    assert threshold == pytest.approx(3 + 5)  # 3 x 1.4826 x 1 < 5: the margin
    assert flagged  # one odd day (50) does not raise the baseline


def test_the_first_day_has_no_baseline_yet_and_flags_nothing():
    digest = analyse(login_failure(at(0, 9, n % 60, n // 60)) for n in range(500))
    (note,) = digest.days
    assert note.unusual == 0
    assert "No baseline yet" in note.markdown
    assert "No logs for yesterday" in note.markdown


def test_a_recurring_template_is_one_line_with_its_count():
    events = [
        app_error(at(0, 10, n), f"card_declined for customer cus_{1000 + n} amount {n * 7}")
        for n in range(12)
    ]
    digest = analyse(events)
    (item,) = digest.days[0].figures["recurring_templates"]
    assert item["count"] == 12
    assert item["first"] == "10:00:00" and item["last"] == "10:11:00"
    assert digest.days[0].recurring == 1
    assert digest.days[0].markdown.count("12 × ") == 1


def test_new_since_yesterday_names_new_classes_and_templates():
    day1 = [login_failure(at(0, 8))]
    day2 = [
        login_failure(at(1, 8)),
        app_error(at(1, 9), "stripe signature verification failed", WEBHOOK),
    ]
    digest = analyse([*day1, *day2])
    today = digest.days[1]
    assert today.figures["new_classes"] == [WEBHOOK]
    assert [t["template"] for t in today.figures["new_templates"]] == [
        "stripe signature verification failed"
    ]
    assert today.new == 2
    assert "webhook errors: 1 (none yesterday)" in today.markdown


def test_a_template_seen_on_several_days_recurs_even_when_rare():
    events = [app_error(at(day, 12), "payment provider timeout") for day in range(3)]
    digest = analyse(events)
    assert [n.recurring for n in digest.days] == [0, 1, 1]
    assert digest.days[2].figures["recurring_templates"][0]["days_seen"] == 3


def test_since_leaves_earlier_days_out():
    digest = analyse(steady_week(1), since=DAY0 + timedelta(days=5))
    assert [n.day for n in digest.days] == [DAY0 + timedelta(days=5), DAY0 + timedelta(days=6)]


def test_events_out_of_order_count_on_their_own_day_and_hour():
    events = [login_failure(at(1, 5)), login_failure(at(0, 5)), login_failure(at(1, 4))]
    digest = analyse(events)
    assert [n.figures["totals"][AUTH] for n in digest.days] == [1, 2]


def test_memory_stays_bounded_for_many_distinct_paths():
    def events() -> Iterator[LogEvent]:
        for n in range(200_000):
            when = at(0, 10, (n // 1000) % 60)
            yield LogEvent(
                at=when,
                source="access.log",
                line=n,
                text=f'10.0.{n % 250}.{n % 199} - - "GET /p/{n}x HTTP/1.1" 503 0',
                format=COMBINED,
                status=503,
                method="GET",
                path=f"/p/{n}x",
                client=f"10.0.{n % 250}.{n % 199}",
                classes=frozenset({SERVER}),
            )

    tracemalloc.start()
    try:
        digest = analyse(events())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.days[0].figures["totals"][SERVER] == 200_000
    assert peak < 2_000_000, peak  # a capped counter, not 200k paths


def test_markdown_hostile_log_text_is_literal_in_the_note():
    hostile = "# x `tick` ``` [link](http://evil) [bold red]rich[/] \x1b[31mred\x1b[0m | cell"
    events = [app_error(at(0, 10, n), hostile, AUTH, text=hostile) for n in range(4)]
    events += [app_error(at(day, 10), "steady", AUTH) for day in range(-3, 0)]
    events += [app_error(at(0, 10, 30, n), hostile, AUTH, text=hostile) for n in range(20)]
    digest = analyse(events)
    markdown = digest.days[-1].markdown
    assert digest.days[-1].unusual == 1
    lines = markdown.splitlines()
    assert not any(line.startswith("# x") for line in lines)
    assert all(line.startswith(("# Risk note", "## ")) for line in lines if line.startswith("#"))
    assert "\x1b" not in markdown and "\\x1b[31mred" in markdown
    assert "\\[link\\](http://evil)" in markdown
    assert "\\[bold red\\]" in markdown
    # the sample is fenced with a fence longer than the backtick run inside
    assert "    ````text" in lines
    assert "    " + hostile.replace("\x1b", "\\x1b") in lines


def test_a_secret_in_a_url_query_is_redacted_in_samples():
    secret = "sk_live_51HabcdefGHIJKLMNOPqrstuvwx"
    line = f'1.2.3.4 - - "GET /checkout?plan=pro&api_key={secret}&x=1 HTTP/1.1" 500 0'
    assert secret not in shown(line)
    assert "plan=pro" in shown(line) and "api_key=sk_l…(" in shown(line)
    assert "hunter2" not in shown("fetch https://bob:hunter2@db.example/x failed")
    events = [
        LogEvent(
            at=at(0, 1, n),
            source="a",
            line=n,
            text=line,
            format=COMBINED,
            status=500,
            path="/checkout",
            classes=frozenset({PAYMENT}),
        )
        for n in range(30)
    ]
    digest = analyse([*events, login_failure(at(-1, 1))])
    assert digest.days[-1].unusual == 1
    assert secret not in digest.days[-1].markdown
    assert secret not in str(digest.days[-1].figures)


def test_the_note_is_deterministic():
    events = list(steady_week(3, 3)) + [app_error(at(2, 4), f"err {n}") for n in range(9)]
    first = analyse(events)
    second = analyse(reversed(events))
    assert [n.markdown for n in first.days] == [n.markdown for n in second.days]
    assert [n.figures for n in first.days] == [n.figures for n in second.days]


# Findings: runs of hours, deploys, folded server errors, the partial latest day.


def failing(
    when: datetime,
    classes: frozenset[str] = frozenset({WEBHOOK, SERVER}),
    message: str = "webhook signature verification failed",
    line: int = 1,
) -> LogEvent:
    return LogEvent(
        at=when,
        source="app.log",
        line=line,
        text=f'{{"level":"error","msg":"{message}"}}',
        format=JSON_LINES,
        level="error",
        path="/webhooks/stripe",
        message=message,
        classes=classes,
    )


def deploy(when: datetime, message: str = "deployed release 2.4.1 (7c1e9a2)") -> LogEvent:
    return LogEvent(
        at=when,
        source="app.log",
        line=1,
        text=f'{{"level":"info","msg":"{message}"}}',
        format=JSON_LINES,
        level="info",
        message=message,
        classes=frozenset(),
    )


def quiet_week(days: int = 7) -> Iterator[LogEvent]:
    """A request in no class every hour: the days exist, every class counts 0."""
    for day in range(days):
        for hour in range(24):
            yield quiet_line(at(day, hour, 30))


def hours_of(day: int, counts: dict[int, int], **kw: object) -> list[LogEvent]:
    return [
        failing(at(day, hour, 1 + n % 58, n // 58), **kw)  # type: ignore[arg-type]
        for hour, count in counts.items()
        for n in range(count)
    ]


WEBHOOK_RUN = {16: 4, 17: 24, 18: 32, 19: 41, 20: 45, 21: 59, 22: 38, 23: 30}


def test_consecutive_spike_hours_of_a_class_are_one_finding():
    digest = analyse([*quiet_week(), *hours_of(7, WEBHOOK_RUN), quiet_line(at(7, 23, 59, 50))])
    note = digest.days[-1]
    assert note.unusual == 1  # not 7 webhook spikes and 7 server-error spikes
    (found,) = note.figures["findings"]
    assert (found["class"], found["start_hour"], found["end_hour"]) == (WEBHOOK, 16, 23)
    assert found["count"] == sum(WEBHOOK_RUN.values()) and found["hours"] == 8
    assert [h["flagged"] for h in found["per_hour"]] == [False] + [True] * 7
    assert found["baseline_median"] == 0
    assert found["paths"] == [["/webhooks/stripe", 273]]
    assert len(found["samples"]) == 3 and "16:00" not in note.markdown.split("sample")[0][:10]
    assert (
        "webhook errors from 16:00 to 23:59 UTC: 273 in 8 hours**, every hour over its "
        "baseline (median 0 over 7 earlier days)"
    ) in note.markdown
    assert "16:00 4, 17:00 24 (spike)" in note.markdown


def test_a_quiet_hour_splits_runs_and_a_run_without_a_spike_is_no_finding():
    events = [
        *quiet_week(),
        *hours_of(7, {2: 12, 3: 3, 5: 12, 9: 4, 10: 4, 11: 4}),
        quiet_line(at(7, 23, 59, 50)),
    ]
    note = analyse(events).days[-1]
    runs = [(f["start_hour"], f["end_hour"]) for f in note.figures["findings"]]
    assert runs == [(2, 3), (5, 5)]  # 09:00-11:59 is over its baseline but never a spike


@pytest.mark.parametrize(
    ("count", "counts", "over"),
    [
        (2, (0, 0, 0), True),  # the least over a zero median
        (1, (0, 0, 0), False),  # one event is no run
        (4, (2, 2, 2), True),  # twice the median and more than median + 1
        (3, (2, 2, 2), False),
        (15, (2, 5, 2, 8, 5), False),  # within 3 x 1.4826 x MAD of the median
        (5, (), False),  # no baseline, no run
    ],
)
def test_over_the_baseline_at_its_edges(count: int, counts: tuple[int, ...], over: bool) -> None:
    assert over_baseline(count, is_spike(count, counts)[1]) is over


@pytest.mark.parametrize(
    ("message", "marker"),
    [
        ("deployed release 2.4.1 (7c1e9a2)", True),
        ("Deploy started by ci", True),
        ("release 2.4.1 deployed", True),
        ("starting version 2.4.1", True),
        ("release v3 rolled out to 100%", True),
        ("redeployed web", True),
        ("deployment config loaded", False),
        ("webhook signature verification failed", False),
        ("release notes viewed", False),
    ],
)
def test_deploy_markers_are_a_small_set_of_message_patterns(message: str, marker: bool) -> None:
    assert is_deploy(message) is marker


def test_a_finding_soon_after_a_deploy_names_it_and_the_deploys_are_listed():
    events = [
        *quiet_week(),
        deploy(at(7, 16, 20, 5)),
        *hours_of(7, WEBHOOK_RUN),
        quiet_line(at(7, 23, 59, 50)),
    ]
    note = analyse(events).days[-1]
    (found,) = note.figures["findings"]
    assert found["deploy"] is None  # the run's first event, 16:01:00, came before the deploy
    events = [
        *quiet_week(),
        deploy(at(7, 15, 20, 5)),
        *hours_of(7, WEBHOOK_RUN),
        quiet_line(at(7, 23, 59, 50)),
    ]
    note = analyse(events).days[-1]
    (found,) = note.figures["findings"]
    assert found["deploy"]["message"] == "deployed release 2.4.1 (7c1e9a2)"
    assert found["deploy"]["minutes_before"] == 40
    assert "began 40 minutes after `deployed release 2.4.1 (7c1e9a2)` at 15:20:05" in note.markdown
    assert "## Deploys\n\n- `deployed release 2.4.1 (7c1e9a2)` at 15:20:05\n" in note.markdown
    assert note.figures["deploys"] == [
        {"at": at(7, 15, 20, 5).isoformat(), "message": "deployed release 2.4.1 (7c1e9a2)"}
    ]


def test_a_deploy_more_than_two_hours_before_is_not_named():
    events = [*quiet_week(), deploy(at(7, 13, 59)), *hours_of(7, WEBHOOK_RUN)]
    note = analyse([*events, quiet_line(at(7, 23, 59, 50))]).days[-1]
    assert note.figures["findings"][0]["deploy"] is None
    assert "began" not in note.markdown
    assert "- `deployed release 2.4.1 (7c1e9a2)` at 13:59:00" in note.markdown


def test_an_access_line_is_never_a_deploy_marker_and_a_hostile_one_is_literal():
    access = login_failure(at(0, 9))
    access = replace(access, message="deployed", classes=frozenset())
    hostile = "deploy `x` **now** [link](http://h/?token=s3cr3tvalue) \x1b[31m"
    note = analyse([access, deploy(at(0, 10), hostile)]).days[0]
    assert len(note.figures["deploys"]) == 1
    assert "s3cr3tvalue" not in note.markdown and "\x1b" not in note.markdown
    assert "- ``deploy `x` **now** [link](http://h/?token=" in note.markdown
    assert "\\x1b[31m`` at 10:00:00" in note.markdown


def test_server_errors_that_are_the_same_events_are_folded_into_the_finding():
    events = [*quiet_week(), *hours_of(7, WEBHOOK_RUN), quiet_line(at(7, 23, 59, 50))]
    events += hours_of(7, {18: 5}, classes=frozenset({SERVER}), message="db timeout")
    note = analyse(events).days[-1]
    (found,) = note.figures["findings"]
    assert found["also_counted"] == [{"class": SERVER, "count": 278, "shared": 273}]
    assert "also counted as server errors: 273 of the 278 server errors" in note.markdown


def test_server_errors_mostly_of_their_own_stay_a_finding():
    events = [*quiet_week(), *hours_of(7, {18: 20}), quiet_line(at(7, 23, 59, 50))]
    events += hours_of(7, {18: 20}, classes=frozenset({SERVER}), message="db timeout")
    note = analyse(events).days[-1]
    found = note.figures["findings"]
    assert [(f["class"], f["count"], f["also_counted"]) for f in found] == [
        (WEBHOOK, 20, []),
        (SERVER, 40, []),  # 50 % shared: the server fails on its own too
    ]


def test_the_latest_day_is_partial_and_its_running_hour_is_compared_pro_rata():
    usual = [failing(at(d, 6, n), frozenset({AUTH})) for d in range(7) for n in range(30)]
    burst = [failing(at(7, 6, n // 2, n % 2), frozenset({AUTH})) for n in range(40)]
    digest = analyse([*quiet_week(), *usual, *burst, quiet_line(at(7, 6, 19, 59))])
    note = digest.days[-1]
    assert note.markdown.startswith("# Risk note 2026-11-30 (so far: the logs end at 06:19 UTC)\n")
    assert note.figures["partial"] is True and note.figures["ends"] == "06:19"
    assert digest.figures["partial"] is True
    (found,) = note.figures["findings"]  # 40 in 20 minutes against 30 an hour: a third is 10
    (hour,) = found["per_hour"]
    assert hour["running"] is True and hour["baseline"]["counts"] == [10.0] * 7
    assert "auth failures, 06:00–06:19 UTC: 40" in note.markdown
    assert "the last hour is still running: its baseline is pro rata" in note.markdown
    assert digest.days[-2].figures["partial"] is False
    assert "so far" not in digest.days[-2].markdown


def test_a_few_minutes_of_an_hour_never_make_a_spike_under_the_floor():
    burst = [failing(at(7, 6, 0, n), frozenset({AUTH})) for n in range(9)]
    note = analyse([*quiet_week(), *burst]).days[-1]
    assert note.figures["partial"] is True and note.unusual == 0


def test_a_day_that_reaches_its_last_minute_is_complete():
    note = analyse([*quiet_week(1), quiet_line(at(0, 23, 59, 1))]).days[-1]
    assert note.figures["partial"] is False and note.figures["ends"] is None


def test_a_run_into_the_next_day_says_it_continues():
    events = [*quiet_week(), *hours_of(7, WEBHOOK_RUN), *hours_of(8, {0: 12, 1: 3})]
    note = analyse([*events, quiet_line(at(8, 23, 59, 50))]).days[-1]
    (found,) = note.figures["findings"]
    assert found["continues_from"] == 16
    assert "continues yesterday's finding (from 16:00 UTC)" in note.markdown
