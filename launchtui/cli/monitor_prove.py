"""`launchtui monitor prove SPRINT [--route email|slack]... [--format text|json]`: a test alert
through each alert route, confirmed where it landed, recorded in the run history and as the
evidence of the "alert routes proven" task (launchtui.monitoring.routes).

Exit codes: 0 every route asked for is proven, 1 one is not (or none is declared), 2 usage or
sprint-file error, or the proofs could not be recorded (they are shown all the same).
"""

from __future__ import annotations

import argparse
import json
import sys

from launchtui.errors import LaunchtuiError, UsageError


def run(args: argparse.Namespace) -> int:
    from launchtui.monitoring import routes
    from launchtui.sprint import store

    document = store.load(args.sprint)
    sprint = document.sprint
    declared = routes.declared_routes(sprint.monitoring)
    if not declared:
        print(
            f"{store.display_path(document.path)}: [monitoring] declares no alert route: set "
            "alert_email and/or slack_webhook (a credential name) to prove",
            file=sys.stderr,
        )
        return 1
    asked = list(dict.fromkeys(args.route or declared))
    for route in asked:
        if route not in declared:
            key = "alert_email" if route == "email" else "slack_webhook"
            raise UsageError(f"--route {route}: [monitoring] has no {key}")

    def progress(text: str) -> None:
        if args.format == "text":
            print(f"launchtui: {text}", file=sys.stderr, flush=True)

    proofs = routes.prove(sprint, asked, progress=progress)
    try:
        evidence, done = routes.record(document.path, proofs, declared)
    except LaunchtuiError as exc:  # the proofs are still worth showing
        evidence, done, unrecorded = "", False, str(exc)
    else:
        unrecorded = ""
    if args.format == "json":
        data = {
            "sprint": sprint.id,
            "proofs": [
                {
                    "route": p.route,
                    "via": p.via,
                    "ok": p.ok,
                    "duration_ms": p.duration_ms,
                    "detail": p.detail,
                    "at": p.at,
                }
                for p in proofs
            ],
            "task": {"id": "alert-routes-proven", "done": done, "evidence": evidence},
            "not_recorded": unrecorded or None,
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    else:
        for proof in proofs:
            mark = "proven" if proof.ok else "NOT PROVEN"
            sys.stdout.write(f"{proof.route:<6} {mark:<11} {proof.detail}\n")
        if not unrecorded:
            state = "done" if done else "not done"
            sys.stdout.write(f"task alert-routes-proven: {state} (evidence saved in the sprint)\n")
    if unrecorded:
        print(f"launchtui: the proofs were not recorded: {unrecorded}", file=sys.stderr)
        return 2
    return 0 if all(p.ok for p in proofs) else 1
