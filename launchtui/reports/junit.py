"""JUnit XML, so CI systems show each check as a test case."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from launchtui.model.results import Status
from launchtui.reports.run import RunReport
from launchtui.text.literal import literal


def render(report: RunReport) -> str:
    root = ET.Element("testsuites", name=f"launchtui {literal(report.sprint.name)}")
    suites: dict[str, ET.Element] = {}
    for result in report.results:
        suite = suites.get(result.stage)
        if suite is None:
            suite = ET.SubElement(root, "testsuite", name=result.stage)
            suites[result.stage] = suite
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"launchtui.{result.stage}.{result.id}",
            name=literal(result.target),
            time=f"{result.duration_ms / 1000:.3f}",
        )
        message = f"[{result.severity}] {literal(result.summary)}"
        body = literal(result.fix, keep_newlines=True)
        if result.status is Status.FAIL:
            ET.SubElement(case, "failure", message=message, type="fail").text = body
        elif result.status is Status.ERROR:
            ET.SubElement(case, "error", message=message, type="error").text = body
        elif result.status in (Status.SKIP, Status.MANUAL):
            ET.SubElement(case, "skipped", message=message)
        elif result.status is Status.WARN:
            ET.SubElement(case, "system-out").text = f"WARN {message}\n{body}"
    # A stage without automated checks shows its open manual tasks as skipped cases, so that
    # CI does not read an empty suite as a passing one.
    for stage in report.unchecked_stages:
        suite = ET.SubElement(root, "testsuite", name=stage)
        suites[stage] = suite
        for task in (t for t in report.open_tasks if t.stage == stage):
            case = ET.SubElement(
                suite, "testcase", classname=f"launchtui.{stage}.manual", name=task.id, time="0"
            )
            ET.SubElement(case, "skipped", message=f"manual task open: {task.title}")
    for suite in suites.values():
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
