"""The handover checklist as Markdown, for a founder to pass to the next engineer.

Everything that came from the network or was typed into the sprint file is shown literally:
control characters become visible escapes (launchtui.text.literal), characters Markdown
would act on are backslash-escaped, and a line break inside a table cell is a <br>, so no
text can add a column, a row, a link or a heading. Long notes are fenced code blocks whose
fence is longer than any backtick run inside.
"""

from __future__ import annotations

from datetime import datetime

from launchtui.credentials import CredentialStore
from launchtui.email.sender_rules import COMPLAINT_RATE, PROVIDERS, RULES
from launchtui.model.results import Status
from launchtui.model.stages import stage as stage_info
from launchtui.reports.handover import (
    DRAFT_MARK,
    EVIDENCE_STAGES,
    NO_RISK_NOTE,
    Handover,
    TaskRow,
    build,
)
from launchtui.reports.incident import INCIDENT_TASK, draft_note
from launchtui.reports.risks import Risk, finding, fix_order
from launchtui.reports.text import GROUP_TITLES, evidence_lines
from launchtui.sprint.store import SprintDocument, display_path
from launchtui.sprint.tasks_store import saved_tasks
from launchtui.text.markdown import cell, demoted, fenced, inline, table


def render_markdown(
    document: SprintDocument,
    *,
    now: datetime | None = None,
    credentials: CredentialStore | None = None,
) -> str:
    handover = build(document, now=now, credentials=credentials)
    sections = [
        _title(handover),
        _blockers(handover),
        _handover_items(handover),
        _risks(handover),
        _routing(handover),
        _deployment(handover),
        _incident(handover),
        _risk_note(handover),
        _other_tasks(handover.other_tasks),
        _evidence(handover),
        _delivery_log(handover),
        _sender_rules(handover),
        _checks(handover),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _title(handover: Handover) -> list[str]:
    sprint = handover.document.sprint
    lines = [f"# Handover: {inline(sprint.name)}", ""]
    for label, value in (("Client", sprint.client), ("Engineer", sprint.engineer)):
        lines.append(f"- {label}: {inline(value) if value else 'not recorded'}")
    lines += [
        f"- Domain: {inline(sprint.site.apex)}",
        f"- Date: {handover.generated_at[:10]} (generated {handover.generated_at})",
        f"- Sprint file: {inline(display_path(handover.document.path))} (id {inline(sprint.id)})",
    ]
    return lines


def _blockers(handover: Handover) -> list[str]:
    lines = ["## Open blockers", ""]
    for risk in handover.blockers:
        r = risk.result
        lines.append(
            f"- #{risk.rank} {str(r.status).upper()} {inline(r.id)} on {inline(r.target)}: "
            f"{inline(r.summary)}"
        )
    open_items = [row for row in handover.handover if not row.state.done]
    if open_items:
        titles = ", ".join(inline(row.task.title) for row in open_items)
        lines.append(f"- Handover items not done ({len(open_items)}): {titles}")
    if len(lines) == 2:
        lines.append(
            "None: no blocker failed in the saved results, and every handover item is done."
        )
    return lines


def _handover_items(handover: Handover) -> list[str]:
    lines = ["## Handover checklist", ""]
    rows = [
        [str(n), cell(row.task.title), *_state_cells(row)]
        for n, row in enumerate(handover.handover, start=1)
    ]
    lines += table(["#", "Item", "Done", "Owner", "Evidence", "Updated"], rows)
    for n, row in enumerate(handover.handover, start=1):
        lines += ["", f"### {n}. {inline(row.task.title)}", ""]
        if row.task.how:
            lines += [f"What to record: {inline(row.task.how)}", ""]
        lines += fenced(row.state.note) if row.state.note else ["No note yet."]
    return lines


def _state_cells(row: TaskRow) -> list[str]:
    state = row.state
    return [
        "yes" if state.done else "no",
        cell(state.owner),
        cell(state.evidence),
        cell(state.updated_at),
    ]


def _risks(handover: Handover) -> list[str]:
    lines = ["## Risk list and fix order", ""]
    if not handover.risks:
        return [*lines, "Nothing open in the saved results."]
    rows = [
        [
            str(risk.rank),
            risk.group,
            str(risk.result.status),
            str(risk.result.severity),
            cell(risk.result.id),
            cell(", ".join(risk.targets)),
            cell(_risk_summary(risk)),
        ]
        for risk in handover.risks
    ]
    lines += table(["#", "Group", "Status", "Severity", "Check", "Target", "Summary"], rows)
    lines.append("")
    for group, ranks in fix_order(handover.risks).items():
        if ranks:
            lines.append(f"- {GROUP_TITLES[group]}: " + ", ".join(f"#{n}" for n in ranks))
    return lines


def _risk_summary(risk: Risk) -> str:
    """The finding, why its group is raised, and the other checks it takes in."""
    parts = [finding(risk.result) if risk.also else risk.result.summary]
    if risk.escalation:
        parts.append(f"{risk.group}: {risk.escalation}")
    linked = [x.result.id for x in risk.related if x.result.status is not Status.ERROR]
    if linked:
        parts.append("with " + ", ".join(dict.fromkeys(linked)))
    return "; ".join(parts)


def _routing(handover: Handover) -> list[str]:
    lines = ["## Routing map", "", "hostname -> records -> edge -> final URL", ""]
    rows = []
    for entry in handover.routing:
        records = "<br>".join(
            cell(f"{rdtype} {', '.join(map(str, v)) if isinstance(v, list) else v}")
            for rdtype, v in entry.records.items()
        )
        chain = " -> ".join([entry.hostname, *entry.cname_chain]) if entry.cname_chain else ""
        rows.append(
            [
                cell(entry.hostname),
                entry.dns,
                records or " ",
                cell(chain),
                entry.edge,
                cell("\n".join(entry.http_hops)),
                cell("\n".join(entry.https_hops)),
                cell(entry.final_url or "unknown"),
            ]
        )
    header = ["Hostname", "DNS", "Records", "CNAME chain", "Edge", "From http://"]
    return lines + table([*header, "From https://", "Final URL"], rows)


def _deployment(handover: Handover) -> list[str]:
    lines = ["## Deployment checklist", "", "Required production environment variables:", ""]
    # Names are validated ([A-Z_][A-Z0-9_]*): a code span shows them as written.
    rows = [
        [f"`{v.name}`", f"{v.kind} ({v.kind_from})", cell(v.where), v.status, cell(v.finding)]
        for v in handover.env_vars
    ]
    if rows:
        lines += table(["Variable", "Kind", "Where set", "Status", "Finding"], rows)
    else:
        lines.append("- none declared ([deploy].env_required)")
    lines += ["", "### Secret handling plan", ""]
    if handover.plan_note:
        lines += [f"Plan notes: {inline(handover.plan_note)}", ""]
    plan = [
        [
            ("**exposed, rotate now:** " if s.exposed else "") + cell(s.secret),
            cell(s.lives),
            cell(s.owner),
            cell(s.rotate),
        ]
        for s in handover.secret_plan
    ]
    if plan:
        lines += table(["Secret", "Where it lives", "Owner", "How to rotate"], plan)
    else:
        lines.append("No secrets declared: no secret-kind variables and no [credentials].")
    lines += ["", "Where each credential lives (values are never exported):", ""]
    if not handover.credentials:
        return [*lines, "No credentials declared ([credentials])."]
    if handover.keyring_problem:
        lines += [f"The OS keyring could not be read: {inline(handover.keyring_problem)}", ""]
    # Names are validated ([a-z][a-z0-9_]*), so a code span shows them as written.
    rows = [[f"`{c.name}`", cell(c.purpose), cell(c.where)] for c in handover.credentials]
    return lines + table(["Credential", "Purpose", "Where it lives"], rows)


def _incident(handover: Handover) -> list[str]:
    lines = ["## Incident response", ""]
    row = next(r for r in handover.other_tasks if (r.task.stage, r.task.id) == INCIDENT_TASK)
    if handover.incident_reviewed:
        state = row.state
        owner = f", owner {inline(state.owner)}" if state.owner else ""
        updated = f", updated {inline(state.updated_at)}" if state.updated_at else ""
        lines += [f"The engineer's note (task '{row.task.title}'{owner}{updated}):", ""]
        return lines + fenced(handover.incident_note)
    # The draft escapes what it quotes from the sprint file, so it is shown as Markdown, its
    # headings below this section's.
    lines += [
        f"**{DRAFT_MARK.capitalize()}**: drafted from the sprint file; the engineer edits it "
        f"on stage 6's task '{row.task.title}'.",
        "",
    ]
    document = handover.document
    return lines + draft_note(document.sprint, saved_tasks(document), level=3).split("\n")[:-1]


def _risk_note(handover: Handover) -> list[str]:
    lines = ["## Latest daily risk note", ""]
    note = handover.risk_note
    if note is None:
        return [*lines, NO_RISK_NOTE[0].upper() + NO_RISK_NOTE[1:] + "."]
    partial = " (a partial day: the logs end during it)" if note.figures.get("partial") else ""
    lines += [
        f"The note of {note.day.isoformat()}{partial}: {note.unusual} unusual, "
        f"{note.recurring} recurring, {note.new} new; written {inline(note.created_at)} from "
        "the logs of [logs] (launchtui logs, or l on the monitoring screen), kept in the run "
        "history.",
        "",
    ]
    # The note escapes and fences every piece of log text, so it is shown as Markdown, its
    # headings below this section's.
    return lines + demoted(note.markdown.rstrip("\n"), 2)


def _other_tasks(rows: list[TaskRow]) -> list[str]:
    lines = ["## Manual tasks of the other stages", ""]
    cells = []
    for row in rows:
        title = row.task.title if row.in_catalogue else f"{row.task.id} (added by hand)"
        done, owner, evidence, updated = _state_cells(row)
        note = cell(row.state.note)
        if (row.task.stage, row.task.id) == INCIDENT_TASK and row.state.note:
            note = "see Incident response"
        cells.append(
            [stage_info(row.task.stage).title, cell(title), done, owner, note, evidence, updated]
        )
    header = ["Stage", "Task", "Done", "Owner", "Note", "Evidence", "Updated"]
    return lines + table(header, cells)


def _evidence(handover: Handover) -> list[str]:
    lines = ["## Saved evidence: performance baselines and email test logs"]
    lines += ["", "### Performance baselines (p95 and error rate per flow)", ""]
    if handover.baselines:
        rows = [
            [
                cell(b.flow),
                f"{b.p95_ms:.0f} ms",
                f"{b.error_rate:.2%}",
                cell(b.marked_at),
                "not measured" if b.latest_p95_ms is None else f"{b.latest_p95_ms:.0f} ms",
                " " if b.latest_error_rate is None else f"{b.latest_error_rate:.2%}",
            ]
            for b in handover.baselines
        ]
        header = [
            "Flow",
            "Baseline p95",
            "Baseline errors",
            "Marked",
            "Latest p95",
            "Latest errors",
        ]
        lines += table(header, rows)
    else:
        lines.append("No baseline marked yet (launchtui perf baseline SPRINT, after a saved run).")
    for stage in EVIDENCE_STAGES:
        title = stage_info(stage).title
        results = handover.evidence(stage)
        lines += ["", f"### {title}", ""]
        if not results:
            lines.append(f"None yet: no saved results of the {stage} stage.")
            continue
        rows = [
            [
                cell(r.id),
                cell(r.target),
                str(r.status),
                cell(r.summary),
                "<br>".join(cell(line) for line in evidence_lines(r.evidence)) or " ",
                cell(r.checked_at),
            ]
            for r in results
        ]
        lines += table(["Check", "Target", "Status", "Summary", "Evidence", "Checked at"], rows)
    return lines


def _delivery_log(handover: Handover) -> list[str]:
    lines = ["## Delivery test log", ""]
    if not handover.delivery_log:
        return [*lines, "No test sends yet (run launchtui email-test SPRINT)."]
    rows = []
    for entry in handover.delivery_log:
        received = entry["authentication_results"]
        verified = entry["verified"]
        latency = entry["latency_ms"]
        result = entry["status"] + (f" ({entry['mailbox']})" if entry["status"] == "spam" else "")
        if entry["error"]:
            result += f": {entry['error']}"
        from_cell = ""
        if entry["from_domain"]:
            match = "matches" if entry["from_domain_matches"] else "does not match"
            from_cell = f'"{entry["from_name"]}" @{entry["from_domain"]} ({match})'
        rows.append(
            [
                cell(entry["at"]),
                cell(entry["template"]),
                cell(entry["inbox"]),
                cell(result),
                f"{latency / 1000:.1f} s" if latency is not None else " ",
                cell(" ".join(f"{k}={v}" for k, v in received.items())),
                cell(" ".join(f"{k}={verified.get(k, '')}" for k in ("dkim", "spf", "dmarc"))),
                cell(from_cell),
            ]
        )
    header = ["Sent", "Template", "Seed inbox", "Result", "Latency", "Receiver says"]
    return lines + table([*header, "launchtui verified", "From"], rows)


def _sender_rules(handover: Handover) -> list[str]:
    """Per template, its latest test's rules and whether each provider's are met."""
    lines = ["## Mailbox providers' sender rules", ""]
    if not handover.sender_rules:
        return [*lines, "No judged test sends yet (run launchtui email-test SPRINT)."]
    providers = " ".join(f"[{p.title}]({p.page}) (since {p.since})." for p in PROVIDERS)
    lines += [f"Bulk-sender rules as published: {providers}", ""]
    rows = [
        [
            cell(t.template),
            cell(t.at),
            *(t.rules[rule] for rule in RULES),
            *(cell(t.providers[p.key]) for p in PROVIDERS),
        ]
        for t in handover.sender_rules
    ]
    header = ["Template", "Tested", *RULES, *(p.title for p in PROVIDERS)]
    lines += table(header, rows)
    fixes = {rule: fix for t in handover.sender_rules for rule, fix in t.fixes.items()}
    if fixes:
        lines += ["", "Fixes for the rules not met:", ""]
        lines += [f"- {rule}: {cell(fix)}" for rule, fix in fixes.items()]
    return [*lines, "", f"Not measured by a test send: {COMPLAINT_RATE}."]


def _checks(handover: Handover) -> list[str]:
    lines = ["## When each check last ran", ""]
    if not handover.results:
        return [*lines, "No saved results yet (run launchtui check SPRINT --save)."]
    rows = [
        [
            cell(r.id),
            r.stage,
            cell(r.target),
            str(r.status),
            cell(r.checked_at),
            handover.ages[(r.id, r.target)],
        ]
        for r in handover.results
    ]
    return lines + table(["Check", "Stage", "Target", "Status", "Checked at", "Age"], rows)
