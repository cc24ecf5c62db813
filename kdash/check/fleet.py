"""`kdash check --contexts a,b` / `--all-contexts`: one report per context, then a summary table.

Each context is checked by the one-cluster check (`single`, kdash.check.command.run, passed in so
this module does not import it back) with JSON output, which this module then prints: as JSON,
every context's report with the context named on each finding, plus the summary; as text or
Markdown, a short report per context and the summary table. The exit code is the worst of the
contexts' (0 ok < 1 threshold broken < 2 incomplete or unreachable); an unreachable context is
a row of the summary, never the end of the run.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from typing import Any, TextIO

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kdash.errors import ConfigError, KdashError, UsageError
from kdash.k8s.fleet import kubeconfig_contexts
from kdash.model.logtext import clean

SingleCheck = Callable[[argparse.Namespace, TextIO, TextIO], int]
FORMATS = ("text", "json", "markdown")
SHOWN = 10  # findings per context in the text report (JSON has them all)
RESULTS = {0: "ok", 1: "threshold broken", 2: "incomplete"}


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "contexts", None) or getattr(args, "all_contexts", False))


def contexts_of(args: argparse.Namespace) -> list[str]:
    """`--contexts` as given (each in the kubeconfig), or every context for `--all-contexts`."""
    every, _current = kubeconfig_contexts(getattr(args, "kubeconfig", None))
    if getattr(args, "all_contexts", False):
        if not every:
            raise ConfigError("The kubeconfig defines no contexts.")
        return every
    names = list(dict.fromkeys(n.strip() for n in str(args.contexts).split(",") if n.strip()))
    if not names:
        raise UsageError(
            "--contexts needs context names, separated by commas (e.g. --contexts prod,staging)."
        )
    unknown = [n for n in names if n not in every]
    if unknown:
        avail = ", ".join(every) or "none"
        raise ConfigError(f'Context "{unknown[0]}" is not in the kubeconfig. Available contexts: {avail}.')
    return names


def run_contexts(args: argparse.Namespace, out: TextIO, err: TextIO, single: SingleCheck) -> int:
    """Check every context named, print the reports and the summary; the worst exit code."""
    try:
        output = getattr(args, "output", "text")
        if output not in FORMATS:
            raise UsageError(
                f"-o {output} checks one context at a time; with --contexts use text, json or markdown."
            )
        if getattr(args, "files", None):
            raise UsageError("--contexts checks clusters; -f checks manifest files: use one or the other.")
        names = contexts_of(args)
    except KdashError as exc:
        err.write(f"kdash: {clean(exc)}\n")
        return exc.exit_code
    reports = [_check(args, name, err, single) for name in names]
    worst = max(int(r["exit_code"]) for r in reports)
    if output == "json":
        doc = {"exit_code": worst, "contexts": reports, "summary": [_summary(r) for r in reports]}
        out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif output == "markdown":
        _markdown(reports, out)
    else:
        _text(reports, out)
    return worst


def _check(args: argparse.Namespace, context: str, err: TextIO, single: SingleCheck) -> dict[str, Any]:
    """One context through the one-cluster check (JSON), its notes prefixed with its name."""
    one = argparse.Namespace(**vars(args))
    one.context, one.contexts, one.all_contexts, one.output = context, None, False, "json"
    buf, notes = io.StringIO(), io.StringIO()
    code = single(one, buf, notes)
    lines = [line for line in notes.getvalue().splitlines() if line.strip()]
    for line in lines:
        err.write(f"kdash: [{clean(context)}] {line.removeprefix('kdash: ')}\n")
    try:
        report: dict[str, Any] = orjson.loads(buf.getvalue()) if buf.getvalue().strip() else {}
    except orjson.JSONDecodeError:
        report = {}
    if not report:  # it could not even start (unreachable, bad credentials): the reason is the note
        report = {"score": None, "grade": None, "findings": [], "complete": False}
        report["error"] = lines[-1].removeprefix("kdash: ") if lines else "the check failed"
    for finding in report.get("findings", []):
        finding["context"] = context
    return {"context": context, "exit_code": code, **report}


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    counts = report.get("summary") or {}
    return {
        "context": report["context"],
        "exit_code": report["exit_code"],
        "result": report.get("error") or RESULTS.get(report["exit_code"], "failed"),
        "score": report.get("score"),
        "grade": report.get("grade"),
        "error": int(counts.get("error", 0)),
        "warning": int(counts.get("warning", 0)),
        "info": int(counts.get("info", 0)),
    }


def _text(reports: list[dict[str, Any]], out: TextIO) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True)
    for report in reports:
        row = _summary(report)
        head = Text(f"== {clean(report['context'])}: ", style="bold")
        head.append(_grade(row))
        head.append(f" ({clean(row['result'])})")
        console.print(head)
        findings = report.get("findings", [])
        for f in findings[:SHOWN]:
            console.print(Text(clean(f"  {f.get('severity', '')}: {_what(f)}")))
        if len(findings) > SHOWN:
            console.print(Text(f"  … and {len(findings) - SHOWN} more findings (-o json lists them all)"))
        for item in report.get("not_checked", []):
            console.print(Text(clean(f"  not checked: {item.get('what')}: {item.get('why')}")))
        console.print()
    table = Table(title="Summary", title_justify="left")
    for column in ("context", "result", "score", "grade", "errors", "warnings", "exit"):
        table.add_column(
            column, justify="right" if column in ("score", "errors", "warnings", "exit") else "left"
        )
    for report in reports:
        row = _summary(report)
        score = "–" if row["score"] is None else f"{row['score']:.1f}"
        table.add_row(
            Text(clean(row["context"])),
            Text(clean(row["result"])),
            score,
            Text(row["grade"] or "–"),
            str(row["error"]),
            str(row["warning"]),
            str(row["exit_code"]),
        )
    console.print(table)


def _what(finding: dict[str, Any]) -> str:
    """The finding's message, after its object unless the message names it already."""
    message, name = str(finding.get("message", "")), str(finding.get("name", ""))
    if name and name in message:
        return message
    where = f"{finding.get('namespace')}/" if finding.get("namespace") else ""
    return f"{finding.get('kind', '')} {where}{name}: {message}"


def _grade(row: dict[str, Any]) -> str:
    return "not graded" if row["score"] is None else f"score {row['score']:.1f}, grade {row['grade']}"


def _markdown(reports: list[dict[str, Any]], out: TextIO) -> None:
    def cell(value: object) -> str:
        return clean(value).replace("|", "\\|")

    out.write("| context | result | score | grade | errors | warnings | exit |\n")
    out.write("|---|---|---:|---|---:|---:|---:|\n")
    for report in reports:
        row = _summary(report)
        score = "–" if row["score"] is None else f"{row['score']:.1f}"
        out.write(
            f"| {cell(row['context'])} | {cell(row['result'])} | {score} | {cell(row['grade'] or '–')} "
            f"| {row['error']} | {row['warning']} | {row['exit_code']} |\n"
        )
    for report in reports:
        out.write(f"\n### {cell(report['context'])}\n\n")
        findings = report.get("findings", [])
        if not findings:
            out.write("No findings.\n" if not report.get("error") else f"{cell(report['error'])}\n")
        for f in findings[:SHOWN]:
            out.write(f"- **{cell(f.get('severity'))}** {cell(_what(f))}\n")
        if len(findings) > SHOWN:
            out.write(f"- … and {len(findings) - SHOWN} more\n")
