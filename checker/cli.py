"""The ``repcheck`` command: ``main(argv=None) -> int``, streams and environment injected.

Subcommands: ``check`` (one partner page against one canonical article), ``audit`` (an audit
file), ``report`` (a past audit run, from the history), ``rules list``, ``rules validate FILE...``
and ``rules kinds``. Exit statuses are :class:`ExitStatus`; nothing
below ``main`` calls ``sys.exit``. Bad input gives one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from checker import __version__
from checker.errors import RepcheckError
from checker.files import write_atomic
from checker.formats import FAIL_ON_CHOICES, Document, RenderOptions, failing
from checker.formats import REGISTRY as FORMATS
from checker.models import Verdict
from checker.status import ExitStatus

log = logging.getLogger("checker")


class _UsageError(Exception):
    """argparse found a usage problem; the message is already formatted."""


class _Output(NamedTuple):
    """One ``--format FORMAT[:PATH]``: a format name and a file (None: standard output)."""

    name: str
    path: str | None


def _output_spec(value: str) -> _Output:
    name, sep, path = value.partition(":")
    if name not in FORMATS:
        choices = ", ".join(sorted(FORMATS))
        raise argparse.ArgumentTypeError(f"unknown format {name!r} (choose from {choices}; add :PATH to write a file)")
    if sep and not path:
        raise argparse.ArgumentTypeError(f"{value!r}: a file name is missing after ':'")
    return _Output(name, path or None)


def _add_output_options(p: argparse.ArgumentParser, default: str) -> None:
    formats = ", ".join(f"{n} ({f.description})" for n, f in sorted(FORMATS.items()))
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        type=_output_spec,
        metavar="FORMAT[:PATH]",
        help=f"output format, repeatable; with :PATH written to that file (atomically), else to standard output "
        f"(default: {default}). Formats: {formats}",
    )
    p.add_argument(
        "--output", metavar="FILE", help="write the one format given without :PATH to FILE instead of stdout"
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="error",
        help="lowest severity of an unwaived finding that makes the exit status 1 (default: error; never: report only)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in text output (default: auto, i.e. only on a terminal and without NO_COLOR)",
    )
    p.add_argument(
        "--html-template",
        metavar="FILE",
        help="Jinja2 template for the html format (default: the built-in one; copy it to restyle)",
    )


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports errors by exception instead of exiting the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}")


def _parser() -> _Parser:
    p = _Parser(prog="repcheck", description="Check that partner pages republish articles as the licence allows.")
    p.add_argument("--version", action="version", version=f"repcheck {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr (-vv for debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser(
        "check",
        help="check one partner page against the canonical article",
        description="Check one partner page against the canonical article. Exit status: 0 compliant, "
        "1 violation, 2 usage or configuration error, 3 unverifiable.",
    )
    c.add_argument("page", metavar="PAGE", nargs="?", help="partner page: http(s) URL, file:// URL or local path")
    c.add_argument("--warc", metavar="FILE", help="judge a page archived in this WARC file instead (with --record)")
    c.add_argument("--record", metavar="ID", help="the WARC-Record-ID of the archived response (with --warc)")
    c.add_argument(
        "--canonical",
        required=True,
        metavar="CANONICAL",
        help="canonical article: JSON file or URL (article.schema.json), or the publisher's HTML page",
    )
    c.add_argument(
        "--rules",
        metavar="PROFILE",
        default=None,
        help="licence profile: a built-in id (see 'repcheck rules list') or a TOML file "
        "(default: the strict built-in 'verbatim' profile)",
    )
    _add_output_options(c, "text")
    c.add_argument("--timeout", type=float, metavar="SECONDS", help="network read timeout (default: 30)")
    c.add_argument("--user-agent", metavar="UA", help="User-Agent sent to partner sites")

    a = sub.add_parser(
        "audit",
        help="check every partner page of an audit file; keep history and evidence",
        description="Run an audit file: discover partner pages, check each, archive them in a WARC, "
        "record history and write reports. Exit status: 0 no unwaived violation, 1 violations, "
        "2 configuration error or audit already running, 130 interrupted (resume with --resume).",
    )
    a.add_argument("audit_file", metavar="AUDIT", help="audit file (TOML, see examples/audit/audit.toml)")
    a.add_argument("--resume", action="store_true", help="continue the last unfinished run of this audit")
    a.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_output_options(a, "a text summary; the JSON report is always written to the reports folder")

    rp = sub.add_parser(
        "report",
        help="render a past audit run from the history, in any format",
        description="Render an audit run recorded in the history database, in any output format. "
        "Exit status: 0 no unwaived failing finding, 1 failing findings, 2 no such run or history.",
    )
    rp.add_argument("run", metavar="RUN", nargs="?", default="latest", help="run id, or 'latest' (the default)")
    rp.add_argument(
        "--history",
        metavar="FILE",
        default="reports/history.sqlite",
        help="the audit history (default: reports/history.sqlite)",
    )
    rp.add_argument("--audit", metavar="NAME", help="with 'latest' or --list: only runs of this audit")
    rp.add_argument("--list", action="store_true", help="list the recorded runs instead")
    _add_output_options(rp, "text")

    r = sub.add_parser("rules", help="list, validate and document licence profiles")
    rsub = r.add_subparsers(dest="rules_command", metavar="ACTION", parser_class=_Parser)
    rsub.add_parser("list", help="list the built-in licence profiles")
    v = rsub.add_parser("validate", help="validate licence profile files")
    v.add_argument("files", nargs="+", metavar="FILE")
    rsub.add_parser("kinds", help="document every check kind a profile may use")
    return p


def _want_color(choice: str, stream: TextIO, env: Mapping[str, str]) -> bool:
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    return bool(env.get("FORCE_COLOR")) or (hasattr(stream, "isatty") and stream.isatty())


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO, env: Mapping[str, str]) -> int:
    from checker.pipeline import PageInput, check
    from checker.settings import TIMEOUT

    fetch_options: dict[str, object] = {}
    if args.timeout is not None:
        if args.timeout <= 0:
            raise _UsageError("repcheck check: error: --timeout must be a positive number of seconds")
        fetch_options["timeout"] = (min(TIMEOUT[0], args.timeout), args.timeout)
    if args.user_agent:
        fetch_options["user_agent"] = args.user_agent
    page: PageInput = args.page
    if args.warc or args.record:
        if not (args.warc and args.record) or args.page:
            raise _UsageError("repcheck check: error: give either PAGE, or --warc FILE with --record ID")
        from checker.evidence import load_record

        page = load_record(Path(args.warc), args.record)
    elif not args.page:
        raise _UsageError("repcheck check: error: the following arguments are required: PAGE (or --warc and --record)")
    report = check(page, args.canonical, args.rules, fetch_options=fetch_options)
    doc = Document.from_report(report)
    options = _emit(doc, args, out, err, env, default="text")
    if report.verdict is Verdict.UNVERIFIABLE:
        # The reason always reaches stderr, whatever the format, so CI logs show it.
        err.write(f"repcheck: unverifiable: {report.message}\n")
        return ExitStatus.UNVERIFIABLE
    return ExitStatus.VIOLATION if failing(doc, options) else ExitStatus.COMPLIANT


def _outputs(args: argparse.Namespace, default: str | None) -> list[_Output]:
    """The outputs asked for, checked before any work: at most one on standard output."""
    outputs: list[_Output] = list(args.formats or ([_Output(default, None)] if default else []))
    to_stdout = [o for o in outputs if o.path is None]
    if len(to_stdout) > 1:
        names = ", ".join(o.name for o in to_stdout)
        raise _UsageError(f"repcheck: error: several formats ({names}) for standard output: give each but one a :PATH")
    if args.output:
        if not to_stdout:
            raise _UsageError("repcheck: error: --output names the file of a --format given without :PATH")
        outputs = [_Output(o.name, args.output) if o.path is None else o for o in outputs]
    return outputs


def _emit(
    doc: Document,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    env: Mapping[str, str],
    *,
    default: str | None,
) -> RenderOptions:
    """Render *doc* in every format asked for: files atomically, at most one on standard output."""
    outputs = _outputs(args, default)
    base = RenderOptions(fail_on=args.fail_on)
    for o in outputs:
        to_stdout = o.path is None
        options = RenderOptions(
            color=to_stdout and _want_color(args.color, out, env),
            annotations=to_stdout and o.name == "text" and env.get("GITHUB_ACTIONS") == "true",
            fail_on=args.fail_on,
            template=args.html_template,
        )
        rendered = FORMATS[o.name].render(doc, options)
        if o.path is None:
            out.write(rendered)
        else:
            write_atomic(Path(o.path), rendered)
            err.write(f"repcheck: {o.name} report written to {o.path}\n")
    return base


def _cmd_audit(args: argparse.Namespace, out: TextIO, err: TextIO, env: Mapping[str, str]) -> int:
    from checker.audit import run_audit
    from checker.audit_config import load_audit_config
    from checker.formats.text import audit_summary

    _outputs(args, "text")  # bad --format / --output combinations fail before the audit starts
    config = load_audit_config(args.audit_file)
    try:
        s = run_audit(config, resume=args.resume, progress=None if args.quiet else err)
    except KeyboardInterrupt:
        err.write(
            f"repcheck: audit {config.name} interrupted; continue it with: repcheck audit {args.audit_file} --resume\n"
        )
        return 130
    evidence = f"repcheck: evidence: {s.warc_path}\n" if s.warc_path else ""
    if not args.formats and not args.output:
        # The default: a summary, from counts alone (an audit of any size never loads its pages).
        changes = {"new": s.new, "persisting": s.persisting, "resolved": s.resolved, "waived": s.waived}
        summary = audit_summary(config.name, s.run_id, s.verdicts, s.skipped_no_article, changes)
        out.write("\n".join(summary) + f"\nreport: {s.report_path}\n")
        err.write(evidence)
        failed = s.failing(args.fail_on)
        return ExitStatus.VIOLATION if failed else ExitStatus.COMPLIANT
    doc = Document.from_audit(s.load_report())
    options = _emit(doc, args, out, err, env, default="text")
    err.write(f"repcheck: report: {s.report_path}\n" + evidence)
    return ExitStatus.VIOLATION if failing(doc, options) else ExitStatus.COMPLIANT


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO, env: Mapping[str, str]) -> int:
    from checker.audit import run_report
    from checker.errors import ConfigError
    from checker.history import History

    _outputs(args, "text")
    path = Path(args.history)
    if not path.is_file():
        raise ConfigError(f"history error: {path} does not exist (run an audit first, or give --history FILE)")
    with History.open(path) as history:
        runs = history.runs(args.audit)
        if args.list:
            for r in runs:
                out.write(f"{r['id']:>5}  {r['audit']:<20} {r['status']:<11} {r['started_at']}  {r['pages']} pages\n")
            return ExitStatus.COMPLIANT
        if args.run == "latest":
            finished = [r for r in runs if r["status"] == "finished"]
            if not finished:
                raise ConfigError(
                    f"history error: {path} has no finished run" + (f" of audit {args.audit!r}" if args.audit else "")
                )
            run_id = int(finished[0]["id"])
        elif args.run.isdigit():
            run_id = int(args.run)
            if not any(r["id"] == run_id for r in history.runs()):
                raise ConfigError(f"history error: no run {run_id} in {path} (see: repcheck report --list)")
        else:
            raise _UsageError(f"repcheck report: error: RUN must be a run id or 'latest', not {args.run!r}")
        data = run_report(history, run_id)
    doc = Document.from_audit(data)
    options = _emit(doc, args, out, err, env, default="text")
    return ExitStatus.VIOLATION if failing(doc, options) else ExitStatus.COMPLIANT


def _cmd_rules(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from checker.checks import REGISTRY
    from checker.profiles import builtin_profiles, load_profile

    if args.rules_command == "list":
        for pid in sorted(builtin_profiles()):
            prof = load_profile(pid)
            out.write(f"{pid:<10} {len(prof.rules):>2} rules  {prof.name}\n")
        return ExitStatus.COMPLIANT
    if args.rules_command == "validate":
        status = ExitStatus.COMPLIANT
        for f in args.files:
            try:
                prof = load_profile(Path(f))
            except RepcheckError as exc:
                err.write(f"{exc}\n")
                status = ExitStatus.USAGE
            else:
                out.write(f"{f}: ok ({prof.id}, {len(prof.rules)} rules)\n")
        return status
    if args.rules_command == "kinds":
        seen = set()
        for _kind, module in sorted(REGISTRY.items()):
            if module in seen:
                continue
            seen.add(module)
            out.write(f"{', '.join(module.KINDS)}\n")
            out.write("".join(f"    {line}\n" if line else "\n" for line in (module.__doc__ or "").splitlines()[1:]))
            out.write("\n")
        return ExitStatus.COMPLIANT
    raise _UsageError("repcheck rules: error: choose an action: list, validate or kinds")


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run the command line; return the exit status instead of exiting."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    environ = os.environ if env is None else env
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out):  # argparse prints --help and --version itself
            args = parser.parse_args(argv)
    except _UsageError as exc:
        err.write(f"{exc}\n")
        return ExitStatus.USAGE
    except SystemExit as exc:  # --help and --version print and "exit" 0
        return int(exc.code or 0)
    if args.verbose:
        logging.basicConfig(
            stream=err,
            level=logging.DEBUG if args.verbose > 1 else logging.INFO,
            format="repcheck: %(name)s: %(message)s",
        )
    try:
        if args.command == "check":
            return _cmd_check(args, out, err, environ)
        if args.command == "rules":
            return _cmd_rules(args, out, err)
        if args.command == "audit":
            return _cmd_audit(args, out, err, environ)
        if args.command == "report":
            return _cmd_report(args, out, err, environ)
        parser.print_help(out)
        err.write("repcheck: error: choose a command: check, audit, report or rules\n")
        return ExitStatus.USAGE
    except _UsageError as exc:
        err.write(f"{exc}\n")
        return ExitStatus.USAGE
    except RepcheckError as exc:
        err.write(f"repcheck: {exc}\n")
        return int(exc.status)
    except OSError as exc:  # e.g. --output in a directory we cannot write
        err.write(f"repcheck: error: {exc.strerror or exc}: {exc.filename or ''}\n")
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        err.write("repcheck: interrupted\n")
        return 130
    except Exception as exc:  # a bug of ours: still one line, and a way to see the traceback
        log.debug("internal error", exc_info=True)
        err.write(f"repcheck: internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback)\n")
        return ExitStatus.USAGE


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
