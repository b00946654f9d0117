"""The ``bisphos`` command line.

Commands:
  plan PATIENT_FILE   a child's file: the next infusions (doses, dates, volume and rate, blocks and
                      actions, with rule ids); an adult oncology file ("kind": "adult-oncology"):
                      the recommended regimens with the labels' restrictions; as text, JSON
                      (schema: bisphos/plan.schema.json, bisphos/oncology/
                      recommendation.schema.json), a replayable record, a FHIR R4 Bundle, or an
                      iCalendar file; --protocol ID chooses the protocol (default: by the file's
                      kind, nl-pediatric-iv-bp-2024 or nl-oncology-bone-2016)
  recommend PATIENT_FILE  the same as plan
  check PATIENT_FILE  what blocks an infusion today (the assessment only)
  rules               the rule catalogue of the protocols
  invariants          the invariants their property tests verify
  plugins             the plugins loaded, where from, which versions
  show PATIENT_FILE   the patient as read and normalised
  check-order PATIENT_FILE --order FILE | --drug D --dose Q --volume Q (--duration Q | --rate Q)
                      an ordered infusion judged: within the protocol, outside a soft limit
                      (what the protocol would give, the overrides that apply) or refused by a
                      hard limit; each judgement with its rule ids
  audit HISTORY       every administered infusion of a history (a directory of CSV or Parquet
                      tables) judged with the patient's state on its date; the table of
                      verdicts to --output FILE (.parquet or .csv), a summary to standard output;
                      --report FILE.html the report page (--lang en|nl); --workers N or
                      --scheduler ADDRESS judge it on a Dask cluster
  completion SHELL    the shell completion script (bash, zsh, tcsh)

Every command but serve writes JSON with --format json (each document has a JSON Schema,
bisphos/schemas/<command>.schema.json, bisphos/plan.schema.json for plan), and writes its output to
a file with --output FILE. The help of each command lists its formats and its exit codes.
A PATIENT_FILE or RECORD of "-" is read from standard input.
  replay RECORD       decide a stored decision record again; --verify-key checks its signature
  keygen PRIV PUB     write an Ed25519 key pair to sign records with (plan --sign-key)
  serve --config FILE the CDS Hooks service (the 'service' extra)

Files are read only when they are regular files of at most BISPHOS_MAX_INPUT_BYTES bytes
(default 1 MiB); a FIFO, a device or a directory is refused.

A PATIENT_FILE is a patient file (.json, .toml) or a FHIR R4 Bundle of the patient (.json); a
Bundle's timestamp is the assessment date.

Exit codes::

  0  a plan is ready and nothing blocks an infusion today (plan, check); for an adult file, a
     regimen can be given; an order is within the protocol (check-order); the command succeeded
  1  an infusion is blocked today, or treatment is not indicated, the patient is out of the
     protocol's scope, or the request was refused; an order is outside a soft limit or refused
     (check-order); replay: the record was not reproduced; audit: an administration deviates
     from the protocol or could not be assessed
  2  the input was invalid: a patient file, an option, or a plugin's error (anything a plugin
     raises, a sys.exit inside a hook included, is a PluginError); a plan refused by the
     hard-limit gate (HardLimitError); every problem is printed on standard error as a
     "path: problem" line, never a traceback
  130  interrupted (Ctrl-C)
  Output cut short by its reader (a broken pipe) exits 1: never a success code.

A command is one function registered with :func:`command`; it receives the parsed arguments and
an :class:`Engine`, writes its output, and returns the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import re
import signal
import sys
import tempfile
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

import attrs

from bisphos._version import __version__
from bisphos.engine import Engine, default_engine
from bisphos.errors import (
    BisphosError,
    InputLimitError,
    InvalidValueError,
    MissingDependencyError,
    MissingValueError,
    OverrideError,
    PatientInputError,
)
from bisphos.i18n import LANGUAGES, Language, check_language, text
from bisphos.io import load_patient, patient_from_text, patient_to_dict, read_text_file
from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import DosingOptions
from bisphos.pediatric.overrides import Override
from bisphos.pediatric.plan import PlanRequest
from bisphos.pediatric.schedule import Horizon
from bisphos.plugins import PROJECT_NAME
from bisphos.protocols import ProtocolInfo
from bisphos.report import (
    render_assessment,
    render_invariants,
    render_plan,
    render_plugins,
    render_rules,
)
from bisphos.validation import (
    MAX_INPUT_BYTES_ENV,
    input_byte_limit,
    parse_iso_date,
    parse_iso_datetime,
    printable,
    read_bounded,
)

if TYPE_CHECKING:
    from bisphos.oncology.patient import AdultPatient

__all__ = [
    "COMMON_EXITS",
    "EXIT_INPUT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_CLEARED",
    "EXIT_OK",
    "FORMATS",
    "LANG",
    "OUTPUT",
    "PATIENT",
    "PROTOCOL",
    "TEXT_OR_JSON",
    "Argument",
    "Command",
    "build_parser",
    "command",
    "json_schema_of",
    "main",
]

#: A plan is ready and nothing blocks today; or the command succeeded.
EXIT_OK: Final = 0
#: Blocked today, not indicated, out of scope, or refused.
EXIT_NOT_CLEARED: Final = 1
#: Invalid input (file, option, or a plugin's typed error).
EXIT_INPUT_ERROR: Final = 2
#: Interrupted by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED: Final = 130

#: The output formats of ``bisphos plan``: ``record`` is the replayable decision record.
FORMATS: Final = ("text", "json", "record", "fhir", "ics")


@attrs.frozen
class Argument:
    """One argument of a command, as :meth:`argparse.ArgumentParser.add_argument` takes it."""

    flags: tuple[str, ...]
    options: dict[str, Any] = attrs.field(factory=dict)


def _argument(*flags: str, **options: Any) -> Argument:
    return Argument(flags, options)


#: The patient file argument.
PATIENT = _argument(
    "patient_file",
    metavar="PATIENT_FILE",
    help="a .json or .toml patient file, a FHIR R4 Bundle (.json) of the patient, or - for "
    "standard input",
)
#: The language of the output.
LANG = _argument(
    "--lang", choices=LANGUAGES, default="en", help="language of the output (default: en)"
)
#: Where every command writes its output (default: standard output).
OUTPUT = _argument(
    "--output",
    "-o",
    metavar="FILE",
    help="write the output to FILE (replaced whole, only once the command has run) instead of "
    "standard output",
)
#: The output format of a command whose JSON document has a schema in ``bisphos/schemas``.
TEXT_OR_JSON = _argument(
    "--format", choices=("text", "json"), default="text", help="output format (default: text)"
)
#: Selects one protocol.
PROTOCOL = _argument("--protocol", metavar="ID", help="one protocol id (default: all)")

Run = Callable[[argparse.Namespace, Engine], int]


#: The exit codes every command shares, after its own.
COMMON_EXITS: Final = (
    (
        EXIT_INPUT_ERROR,
        (
            "the input was invalid: a file, an option, or a plugin's error; a plan refused by the "
            "hard-limit gate; each problem on standard error as a 'path: problem' line"
        ),
    ),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)
#: What a command whose output is cut short by its reader (a broken pipe) exits with.
BROKEN_PIPE_NOTE: Final = "Output cut short by its reader (a broken pipe) exits 1, never 0."
#: The exit code of a command that only succeeds or fails on its input.
SUCCEEDED: Final = ((EXIT_OK, "the command succeeded"),)


@attrs.frozen
class Command:
    """A subcommand: its name, help, arguments, exit codes, formats, and the function it runs.

    Attributes:
        name: The subcommand's name.
        help: One line on what it does.
        arguments: Its arguments.
        run: The function that runs it.
        exits: Its own exit codes, each with what it means (:data:`COMMON_EXITS` follow).
        formats: Its output formats in words, for a command without ``--format``; empty when
            the choices of its ``--format`` say it.
        writes_output: The command writes the file named by ``--output`` itself (a table),
            and standard output stays its own.
    """

    name: str
    help: str
    arguments: tuple[Argument, ...]
    run: Run
    exits: tuple[tuple[int, str], ...] = SUCCEEDED
    formats: str = ""
    writes_output: bool = False

    @property
    def format_choices(self) -> tuple[str, ...]:
        """The choices of its ``--format`` option; empty without one."""
        for argument in self.arguments:
            if "--format" in argument.flags:
                return tuple(argument.options["choices"])
        return ()

    def epilog(self) -> str:
        """The end of its help: its formats, then its exit codes and the shared ones."""
        choices = self.format_choices
        formats = self.formats or ", ".join(choices)
        schema = ""
        if "json" in choices:
            schema = f" (JSON Schema: {json_schema_of(self.name)})"
        lines = [*textwrap.wrap(f"Formats: {formats}{schema}", 90), "", "Exit codes::", ""]
        for code, meaning in (*self.exits, *COMMON_EXITS):
            lines += textwrap.wrap(
                meaning, 90, initial_indent=f"  {code:<3}  ", subsequent_indent=" " * 7
            )
        return "\n".join([*lines, "", BROKEN_PIPE_NOTE])


#: The schema of an adult oncology file's recommendation (``plan``, ``recommend``, ``check``).
_ADULT_SCHEMA: Final = "an adult file: bisphos/oncology/recommendation.schema.json"


def json_schema_of(name: str) -> str:
    """Return the shipped JSON Schema(s) of command ``name``'s ``--format json`` document."""
    if name in {"plan", "recommend"}:
        return f"bisphos/plan.schema.json; {_ADULT_SCHEMA}"
    if name == "check":
        return f"bisphos/schemas/check.schema.json; {_ADULT_SCHEMA}"
    return f"bisphos/schemas/{name}.schema.json"


_COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    help_text: str,
    *arguments: Argument,
    exits: tuple[tuple[int, str], ...] = SUCCEEDED,
    formats: str = "",
    writes_output: bool = False,
) -> Callable[[Run], Run]:
    """Register the decorated function as the subcommand ``name``.

    The function receives the parsed arguments and the engine and returns the exit code;
    ``exits`` says what each of its own exit codes means, ``formats`` its output formats for a
    command without ``--format``; with ``writes_output`` it writes the file of ``--output``
    itself.
    """

    def register(run: Run) -> Run:
        _COMMANDS[name] = Command(name, help_text, arguments, run, exits, formats, writes_output)
        return run

    return register


def _out(content: str) -> None:
    """Write ``content`` as it is (no newline translation: iCalendar lines end in CRLF)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(content)
    else:
        buffer.write(content.encode("utf-8"))
        buffer.flush()


def _print(report: str) -> None:
    """Print a text report as a terminal should show it: no control sequence reaches it."""
    print(printable(report, lines=True))


def _date(value: str | None, field: str) -> dt.date | None:
    return None if value is None else parse_iso_date(value, field=field)


def _count(value: str) -> int:
    """An argparse type: a whole number in ASCII digits (``--infusions``)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 6):
        raise argparse.ArgumentTypeError(
            f"not a whole number in the digits 0-9: {printable(value[:20])!r}"
        )
    return int(value)


def _overrides(arguments: argparse.Namespace) -> tuple[Override, ...]:
    """The ``--override RULE=REASON`` options, each with ``--clinician`` and ``--override-time``."""
    given: list[str] = arguments.override
    if not given:
        return ()
    at: dt.datetime | None = None
    if arguments.override_time is not None:
        try:
            at = parse_iso_datetime(arguments.override_time, field="--override-time")
        except InvalidValueError as error:
            raise OverrideError(
                error.message, field=error.field, value=error.value, expected=error.expected
            ) from None
    overrides = []
    for item in given:
        limit, sep, reason = item.partition("=")
        if not sep:
            raise OverrideError(
                "an override names the limit and the coded reason",
                field="--override",
                value=item,
                expected="RULE=REASON, e.g. P-WEIGHT-PLAUSIBLE=value-confirmed",
            )
        try:
            overrides.append(
                Override(
                    limit=limit.strip(),
                    reason=reason.strip(),
                    clinician=arguments.clinician,
                    at=at,
                    note=arguments.override_note,
                )
            )
        except OverrideError as error:
            flag = {"clinician": "--clinician", "at": "--override-time"}.get(
                error.field, "--override"
            )
            raise OverrideError(
                error.message, field=flag, value=error.value, expected=error.expected
            ) from None
    return tuple(overrides)


def _lang(arguments: argparse.Namespace) -> Language:
    return check_language(getattr(arguments, "lang", "en"))


def _protocols(arguments: argparse.Namespace, engine: Engine) -> list[ProtocolInfo]:
    if arguments.protocol is not None:
        return [engine.protocol(arguments.protocol).info]
    return [engine.protocols[key].info for key in sorted(engine.protocols)]


def _stdin_text(field: str) -> str:
    """Standard input as UTF-8 text, at most the input size limit."""
    limit = input_byte_limit()
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputLimitError(
            f"standard input is larger than the limit of {limit} bytes",
            field=field,
            expected=f"at most {limit} bytes (set {MAX_INPUT_BYTES_ENV} to change it)",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidValueError(
            f"not UTF-8 text: {error.reason} at byte {error.start}", field=field
        ) from None


def _input_text(arguments: argparse.Namespace) -> str:
    """Standard input, read once: the file's kind and then the patient are read from it."""
    cached: str | None = getattr(arguments, "stdin_text", None)
    if cached is None:
        cached = _stdin_text(STDIN)
        arguments.stdin_text = cached
    return cached


def _stdin_format(text: str) -> str:
    # A JSON document starts with "{"; anything else is read as TOML.
    return "json" if text.lstrip().startswith("{") else "toml"


def _patient(arguments: argparse.Namespace) -> Patient:
    if arguments.patient_file == STDIN:
        text, source = _input_text(arguments), STDIN
        file_format = _stdin_format(text)
        if file_format == "toml":
            return patient_from_text(text, file_format=file_format, source=source)
    else:
        path = Path(arguments.patient_file)
        if path.suffix.lower() != ".json":
            return load_patient(path)
        # Read once, bounded: the same text tells a FHIR Bundle from a patient file.
        text, source = read_text_file(path), printable(str(path))
    if _BUNDLE.search(text[:4096]):
        from bisphos.fhir.reader import (  # noqa: PLC0415 - on demand
            bundle_from_text,
            patient_from_bundle,
        )

        return patient_from_bundle(bundle_from_text(text, source=source), source=source)
    return patient_from_text(text, file_format="json", source=source)


#: The file name that stands for standard input.
STDIN: Final = "-"
#: How a JSON file shows that it is a FHIR Bundle (its ``resourceType``).
_BUNDLE: Final = re.compile(r'"resourceType"\s*:\s*"Bundle"')


#: The default number of infusions of a pediatric plan.
DEFAULT_INFUSIONS: Final = 6
#: The arguments of ``plan`` and its alias ``recommend``.
PLAN_ARGUMENTS: Final = (
    PATIENT,
    _argument(
        "--protocol",
        metavar="ID",
        help="the protocol (default: nl-pediatric-iv-bp-2024 for a child's file, "
        "nl-oncology-bone-2016 for an adult oncology file)",
    ),
    _argument("--drug", choices=[d.value for d in Drug], help="the drug (default: by GFR)"),
    _argument("--start", metavar="DATE", help="first date an infusion may be planned on"),
    _argument("--infusions", metavar="N", type=_count, default=None, help="infusions (default: 6)"),
    _argument("--maintenance", action="store_true", help="plan a maintenance course"),
    _argument(
        "--override",
        metavar="RULE=REASON",
        action="append",
        default=[],
        help="override a soft limit (P-OVERRIDE), e.g. P-WEIGHT-PLAUSIBLE=value-confirmed; "
        "needs --clinician and --override-time",
    ),
    _argument("--clinician", metavar="NAME", help="who overrides (P-OVERRIDE)"),
    _argument(
        "--override-time", metavar="DATETIME", help="when, e.g. 2026-11-23T09:30 (P-OVERRIDE)"
    ),
    _argument("--override-note", metavar="TEXT", default="", help="a note to the override"),
    _argument(
        "--omit-second-infusion",
        action="store_true",
        help="omit the 3-month second zoledronic acid infusion (P-ZOL-SECOND)",
    ),
    _argument("--format", choices=FORMATS, default="text", help="output format (default: text)"),
    _argument(
        "--timezone",
        metavar="ZONE",
        default=None,
        help="the time zone of the calendar (--format ics): its VTIMEZONE and the reminders the "
        "day before at 18:00 and on the day at 08:00 (default: Europe/Amsterdam)",
    ),
    _argument(
        "--sign-key",
        metavar="FILE",
        help="sign the record (--format record) with this Ed25519 private key file "
        "(default: the file named by BISPHOS_SIGNING_KEY, else unsigned)",
    ),
    LANG,
)


def _recommend(arguments: argparse.Namespace, engine: Engine) -> int:
    """An adult oncology file: the recommendation in the chosen format (O-* rules)."""
    from bisphos.oncology.command import PEDIATRIC_ONLY_OPTIONS, exit_code, render  # noqa: PLC0415
    from bisphos.oncology.rules import PROTOCOL_ID as ONCOLOGY_ID  # noqa: PLC0415

    for name, default in PEDIATRIC_ONLY_OPTIONS.items():
        if getattr(arguments, name) != default:
            raise InvalidValueError(
                "applies to a pediatric plan only; this is an adult oncology file",
                field=f"--{name}",
                value=getattr(arguments, name),
                expected="no such option with an adult file",
            )
    patient = _adult(arguments)
    result = engine.recommend(patient, protocol_id=arguments.protocol or ONCOLOGY_ID)
    lang = _lang(arguments)
    content = render(result, arguments.format, lang, arguments.timezone)
    if content is None:
        status = text("onc-status." + result.status.value, lang)
        print(text("ui.no-calendar", lang, status=status), file=sys.stderr)
    else:
        _out(printable(content, lines=True) if arguments.format == "text" else content)
    return exit_code(result)


def _is_adult(arguments: argparse.Namespace) -> bool:
    """Whether the patient file (or standard input) is an adult oncology file."""
    from bisphos.oncology.file_kind import (  # noqa: PLC0415
        is_adult_file,
        is_adult_patient_file,
        parse_patient_text,
    )

    if arguments.patient_file != STDIN:
        return is_adult_patient_file(arguments.patient_file)
    text = _input_text(arguments)
    try:
        data = parse_patient_text(text, file_format=_stdin_format(text), source=STDIN)
    except BisphosError:
        return False  # the pediatric reader reports why
    return is_adult_file(data)


def _adult(arguments: argparse.Namespace) -> AdultPatient:
    """The adult oncology patient of the file or of standard input."""
    from bisphos.oncology.patient_file import (  # noqa: PLC0415
        adult_patient_from_text,
        load_adult_patient,
    )

    if arguments.patient_file == STDIN:
        text = _input_text(arguments)
        return adult_patient_from_text(text, file_format=_stdin_format(text), source=STDIN)
    return load_adult_patient(arguments.patient_file)


#: The exit codes of ``plan`` and ``recommend``.
PLAN_EXITS: Final = (
    (
        EXIT_OK,
        (
            "a plan is ready and nothing blocks an infusion today; for an adult file, a regimen "
            "(or today's radium-223 injection) can be given"
        ),
    ),
    (
        EXIT_NOT_CLEARED,
        (
            "an infusion is blocked today, treatment is not indicated or contraindicated, the "
            "patient is out of the protocol's scope, or the request was refused (--format ics then "
            "writes no calendar)"
        ),
    ),
)


@command(
    "plan",
    "plan a patient's treatment under a protocol (by the file's kind)",
    *PLAN_ARGUMENTS,
    exits=PLAN_EXITS,
)
def _plan(arguments: argparse.Namespace, engine: Engine) -> int:
    if arguments.timezone is not None:
        from bisphos.export.ical import check_timezone  # noqa: PLC0415 - on demand

        check_timezone(arguments.timezone, "--timezone")
    if _is_adult(arguments):
        return _recommend(arguments, engine)
    patient = _patient(arguments)
    infusions = DEFAULT_INFUSIONS if arguments.infusions is None else arguments.infusions
    request = PlanRequest(
        drug=None if arguments.drug is None else Drug(arguments.drug),
        start=_date(arguments.start, "--start"),
        horizon=Horizon(infusions=infusions),
        maintenance=arguments.maintenance,
        overrides=_overrides(arguments),
        dosing=DosingOptions(zoledronic_second_infusion=not arguments.omit_second_infusion),
    )
    protocol_id = arguments.protocol
    plan = (
        engine.plan(patient, request)
        if protocol_id is None
        else (engine.plan(patient, request, protocol_id=protocol_id))
    )
    lang = _lang(arguments)
    code = EXIT_OK if plan.cleared_today else EXIT_NOT_CLEARED
    # The writers of the other formats are imported when asked for: the text report, the
    # default, needs none of them.
    if arguments.format == "json":
        from bisphos.export.plan_json import plan_to_json  # noqa: PLC0415 - on demand

        _out(plan_to_json(plan, lang))
    elif arguments.format == "record":
        from bisphos.records import record_json, signing  # noqa: PLC0415 - on demand

        key_file = signing.key_path(arguments.sign_key, signing.SIGNING_KEY_ENV)
        written = record_json(plan)
        if key_file is not None:
            written = signing.sign_record(written, signing.load_private_key(key_file))
        _out(written)
    elif arguments.format == "fhir":
        from bisphos.export.fhir import plan_to_fhir_json  # noqa: PLC0415 - on demand

        _out(plan_to_fhir_json(plan, lang))
    elif arguments.format == "ics":
        from bisphos.export.ical import (  # noqa: PLC0415 - on demand
            DEFAULT_CALENDAR,
            CalendarOptions,
            plan_to_ics,
        )

        if not plan.infusions and (plan.course is None or not plan.course.follow_up):
            status = text("status." + plan.status.value, lang)
            print(text("ui.no-calendar", lang, status=status), file=sys.stderr)
            return code
        zone = arguments.timezone
        options = DEFAULT_CALENDAR if zone is None else CalendarOptions(timezone=zone)
        _out(plan_to_ics(plan, lang, options))
    else:
        _print(render_plan(plan, lang))
    return code


command(
    "recommend",
    "the same as plan: a patient's treatment under a protocol",
    *PLAN_ARGUMENTS,
    exits=PLAN_EXITS,
)(_plan)


@command(
    "replay",
    "decide a stored decision record again and report what differs",
    _argument(
        "record_file",
        metavar="RECORD",
        help="a record from 'plan --format record', or - for standard input",
    ),
    _argument("--format", choices=("text", "json"), default="text", help="report format"),
    _argument(
        "--verify-key",
        metavar="FILE",
        help="verify the record's signature with this Ed25519 public key file (default: the "
        "file named by BISPHOS_VERIFY_KEY); with a key, an unsigned or edited record exits 1",
    ),
    LANG,
    exits=(
        (EXIT_OK, "the record was reproduced (with a key: and its signature is valid)"),
        (
            EXIT_NOT_CLEARED,
            (
                "the record was not reproduced, or a key was given and the record is unsigned or "
                "its signature does not verify"
            ),
        ),
    ),
)
def _replay(arguments: argparse.Namespace, engine: Engine) -> int:
    from bisphos.records import replay, signing  # noqa: PLC0415 - on demand

    key_file = signing.key_path(arguments.verify_key, signing.VERIFY_KEY_ENV)
    key = None if key_file is None else signing.load_public_key(key_file)
    source = printable(arguments.record_file)
    if arguments.record_file == STDIN:
        stored = _stdin_text(STDIN)
    else:
        try:
            stored = read_bounded(arguments.record_file, field=source).decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidValueError(
                f"not UTF-8 text: {error.reason} at byte {error.start}", field=source
            ) from None
    report = replay(stored, engine=engine, verify_key=key)
    if arguments.format == "json":
        from bisphos.export import command_json  # noqa: PLC0415 - on demand

        _out(command_json.document_json(command_json.replay_to_dict(report.to_dict())))
    else:
        _print(report.explain(_lang(arguments)))
    trusted = key is None or report.signature.valid
    return EXIT_OK if report.reproduced and trusted else EXIT_NOT_CLEARED


@command(
    "keygen",
    "write a new Ed25519 key pair to sign decision records with",
    _argument("private_file", metavar="PRIVATE_KEY", help="the private key file to create"),
    _argument("public_file", metavar="PUBLIC_KEY", help="the public key file to create"),
    TEXT_OR_JSON,
    LANG,
    exits=((EXIT_OK, "both key files were written"),),
)
def _keygen(arguments: argparse.Namespace, engine: Engine) -> int:
    from bisphos.records import signing  # noqa: PLC0415 - on demand

    fingerprint = signing.generate_keys(arguments.private_file, arguments.public_file)
    if arguments.format == "json":
        from bisphos.export.command_json import keygen_to_dict  # noqa: PLC0415 - on demand

        _json_document(
            keygen_to_dict(
                printable(arguments.private_file), printable(arguments.public_file), fingerprint
            )
        )
    else:
        print(text("ui.keygen-written", _lang(arguments), fingerprint=fingerprint))
    return EXIT_OK


def _json_document(document: dict[str, Any]) -> None:
    from bisphos.export.command_json import document_json  # noqa: PLC0415 - on demand

    _out(document_json(document))


@command(
    "check",
    "what blocks an infusion today (assessment only)",
    PATIENT,
    TEXT_OR_JSON,
    LANG,
    exits=(
        (EXIT_OK, "nothing blocks an infusion today; for an adult file, a regimen can be given"),
        (
            EXIT_NOT_CLEARED,
            (
                "an infusion is blocked today, treatment is not indicated, or the patient is out "
                "of the protocol's scope"
            ),
        ),
    ),
)
def _check(arguments: argparse.Namespace, engine: Engine) -> int:
    if _is_adult(arguments):
        from bisphos.oncology.command import exit_code  # noqa: PLC0415
        from bisphos.oncology.report import render_recommendation  # noqa: PLC0415

        result = engine.recommend(_adult(arguments))
        if arguments.format == "json":
            from bisphos.oncology.export import recommendation_to_json  # noqa: PLC0415

            _out(recommendation_to_json(result, _lang(arguments)))
        else:
            _print(render_recommendation(result, _lang(arguments)))
        return exit_code(result)
    assessment = engine.assess(_patient(arguments))
    if arguments.format == "json":
        from bisphos.export.command_json import assessment_to_dict  # noqa: PLC0415 - on demand

        _json_document(assessment_to_dict(assessment, _lang(arguments), engine.plugins))
    else:
        _print(render_assessment(assessment, _lang(arguments), engine.plugins))
    return EXIT_OK if assessment.cleared_today else EXIT_NOT_CLEARED


@command("rules", "list the rule catalogue of the protocols", PROTOCOL, TEXT_OR_JSON, LANG)
def _rules(arguments: argparse.Namespace, engine: Engine) -> int:
    if arguments.format == "json":
        from bisphos.export.command_json import rules_to_dict  # noqa: PLC0415 - on demand

        _json_document(rules_to_dict(_protocols(arguments, engine)))
    else:
        _print(render_rules(_protocols(arguments, engine), _lang(arguments)))
    return EXIT_OK


@command(
    "invariants",
    "list the invariants the property tests verify",
    PROTOCOL,
    TEXT_OR_JSON,
    LANG,
)
def _invariants(arguments: argparse.Namespace, engine: Engine) -> int:
    if arguments.format == "json":
        from bisphos.export.command_json import invariants_to_dict  # noqa: PLC0415 - on demand

        _json_document(invariants_to_dict(_protocols(arguments, engine)))
    else:
        _print(render_invariants(_protocols(arguments, engine), _lang(arguments)))
    return EXIT_OK


@command("plugins", "list the plugins loaded, where from, which versions", TEXT_OR_JSON, LANG)
def _plugins(arguments: argparse.Namespace, engine: Engine) -> int:
    points = sorted(entry_points(group=PROJECT_NAME), key=lambda point: point.name)
    infos = [engine.protocols[key].info for key in sorted(engine.protocols)]
    if arguments.format == "json":
        from bisphos.export.command_json import plugins_to_dict  # noqa: PLC0415 - on demand

        _json_document(plugins_to_dict(engine.plugins, points, infos))
    else:
        _print(render_plugins(engine.plugins, points, infos, _lang(arguments)))
    return EXIT_OK


def _missing_for_decision(patient: Patient) -> list[str]:
    missing = [f"labs.{name}" for name in patient.labs.missing()]
    if patient.height is None:
        missing.append("height")
    if not patient.bmd:
        missing.append("bmd")
    return missing


def _missing_line(missing: list[str], lang: Language) -> str:
    """What is missing for a decision, in ``lang`` (the field paths as they are)."""
    if not missing:
        return text("ui.missing-for-decision-none", lang)
    return text("ui.missing-for-decision", lang, fields=", ".join(missing))


@command("show", "print the patient as read and normalised", PATIENT, TEXT_OR_JSON, LANG)
def _show(arguments: argparse.Namespace, engine: Engine) -> int:
    if _is_adult(arguments):
        from bisphos.oncology.patient_file import adult_patient_to_dict  # noqa: PLC0415

        adult = _adult(arguments)
        lacking = [] if adult.serum_creatinine is not None else ["serum_creatinine"]
        if arguments.format == "json":
            from bisphos.export.command_json import patient_document  # noqa: PLC0415 - on demand

            _json_document(patient_document(adult_patient_to_dict(adult), lacking))
            return EXIT_OK
        _print(json.dumps(adult_patient_to_dict(adult), indent=2, ensure_ascii=False))
        _print(_missing_line(lacking, _lang(arguments)))
        return EXIT_OK
    patient = _patient(arguments)
    missing = _missing_for_decision(patient)
    if arguments.format == "json":
        from bisphos.export.command_json import patient_document  # noqa: PLC0415 - on demand

        _json_document(patient_document(patient_to_dict(patient), missing))
        return EXIT_OK
    _print(json.dumps(patient_to_dict(patient), indent=2, ensure_ascii=False))
    _print(_missing_line(missing, _lang(arguments)))
    return EXIT_OK


def _order(arguments: argparse.Namespace) -> Any:
    """The order of ``check-order``: a MedicationRequest file, or the options."""
    from bisphos.orders import Order  # noqa: PLC0415 - on demand

    if arguments.order is not None:
        from bisphos.fhir.order import order_from_medication_request  # noqa: PLC0415
        from bisphos.fhir.reader import bundle_from_text  # noqa: PLC0415

        source = printable(str(arguments.order))
        text = read_text_file(Path(arguments.order))
        return order_from_medication_request(bundle_from_text(text, source=source), source=source)
    for option in ("drug", "dose", "volume"):
        if getattr(arguments, option) is None:
            raise MissingValueError(
                "is required without --order", field=f"--{option}", expected="a value"
            )
    return Order(
        drug=arguments.drug,
        dose=arguments.dose,
        date=_date(arguments.date, "--date") or _patient(arguments).assessment_date,
        volume=arguments.volume,
        duration=arguments.duration,
        rate=arguments.rate,
        source="command line",
    )


@command(
    "check-order",
    "judge an ordered infusion: within the protocol, outside a soft limit, or refused",
    PATIENT,
    _argument("--order", metavar="FILE", help="the order as a FHIR MedicationRequest (.json)"),
    _argument("--drug", choices=[d.value for d in Drug], help="the drug ordered"),
    _argument("--dose", metavar="QUANTITY", help="the dose ordered, e.g. '1.2 mg'"),
    _argument("--volume", metavar="QUANTITY", help="the volume, e.g. '50 mL'"),
    _argument("--duration", metavar="QUANTITY", help="the infusion time, e.g. '1 h'"),
    _argument("--rate", metavar="QUANTITY", help="the pump rate, e.g. '50 mL/h'"),
    _argument("--date", metavar="DATE", help="the day of the infusion (default: assessment date)"),
    TEXT_OR_JSON,
    LANG,
    exits=(
        (EXIT_OK, "the order is within the protocol"),
        (EXIT_NOT_CLEARED, "the order is outside a soft limit, or refused by a hard limit"),
    ),
)
def _check_order(arguments: argparse.Namespace, engine: Engine) -> int:
    from bisphos.orders import Verdict, check_order  # noqa: PLC0415 - on demand

    result = check_order(_patient(arguments), _order(arguments), engine=engine)
    if arguments.format == "json":
        from bisphos.export.command_json import order_check_to_dict  # noqa: PLC0415

        _json_document(order_check_to_dict(result.to_dict()))
    else:
        _print(result.explain(_lang(arguments)))
    return EXIT_OK if result.verdict is Verdict.WITHIN else EXIT_NOT_CLEARED


@command(
    "audit",
    "judge every administered infusion of a history with the patient's state on its date",
    _argument(
        "history",
        metavar="HISTORY",
        help="a directory holding patients, administrations and measurements (CSV or Parquet)",
    ),
    TEXT_OR_JSON,
    _argument(
        "--quiet", "-q", action="store_true", help="no progress on standard error on long runs"
    ),
    _argument(
        "--report",
        metavar="FILE.html",
        help="also write the report: one self-contained HTML page with the deviations per rule "
        "and year and the plots of dose per kg and interval",
    ),
    _argument(
        "--lang", choices=LANGUAGES, default="en", help="language of the report (default: en)"
    ),
    _argument(
        "--workers",
        type=_count,
        metavar="N",
        help="judge on a local Dask cluster of N worker processes (the audit extra)",
    ),
    _argument(
        "--scheduler",
        metavar="ADDRESS",
        help="judge on the running Dask cluster of this scheduler (tcp://host:8786); its "
        "workers must read the history's files",
    ),
    _argument(
        "--partitions",
        type=_count,
        metavar="N",
        help="with --workers or --scheduler: judge the history in N parts of whole patients "
        "(default: 4 per worker)",
    ),
    exits=(
        (EXIT_OK, "every administration is within the protocol"),
        (
            EXIT_NOT_CLEARED,
            "an administration deviates from the protocol, or could not be assessed",
        ),
    ),
    writes_output=True,
)
def _audit(arguments: argparse.Namespace, engine: Engine) -> int:
    """``--output`` is the table of verdicts (.parquet or .csv); the summary goes to stdout."""
    try:
        from bisphos.audit.command import run  # noqa: PLC0415 - the audit extra, on demand
    except ImportError as error:
        raise MissingDependencyError(
            f"bisphos audit needs the audit extra ({error.name} is not installed)",
            field="audit",
            expected="pip install 'bisphos[audit]'",
        ) from None
    return run(
        arguments.history,
        output=arguments.output,
        json_format=arguments.format == "json",
        quiet=arguments.quiet,
        stderr=sys.stderr,
        write=_out,
        report=arguments.report,
        lang=check_language(arguments.lang),
        workers=arguments.workers,
        scheduler=arguments.scheduler,
        partitions=arguments.partitions,
    )


#: The shells ``bisphos completion`` writes a script for.
SHELLS: Final = ("bash", "zsh", "tcsh")


@command(
    "completion",
    'print the shell completion script; bash: eval "$(bisphos completion bash)"',
    _argument("shell", choices=SHELLS, help="the shell"),
    _argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format: the script itself, or a JSON document holding it (default: text)",
    ),
)
def _completion(arguments: argparse.Namespace, engine: Engine) -> int:
    import shtab  # noqa: PLC0415 - on demand

    parser = build_parser()
    for action in _actions(parser):
        if action.metavar in _FILE_METAVARS:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
    script = shtab.complete(parser, shell=arguments.shell)
    if arguments.format == "json":
        from bisphos.export.command_json import completion_to_dict  # noqa: PLC0415 - on demand

        _json_document(completion_to_dict(arguments.shell, script))
    else:
        _out(script)
    return EXIT_OK


#: The arguments that name a file, completed with file names.
_FILE_METAVARS: Final = frozenset({"PATIENT_FILE", "RECORD", "FILE", "PRIVATE_KEY", "PUBLIC_KEY"})


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every argument of ``parser`` and of its subcommands."""
    found: list[argparse.Action] = []
    # argparse keeps the arguments in _actions, where shtab reads them too.
    for action in parser._actions:
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _actions(sub)
    return found


@command(
    "serve",
    "run the CDS Hooks service (needs the 'service' extra)",
    _argument("--config", required=True, metavar="FILE", help="the service's TOML configuration"),
    _argument("--host", help="the interface to listen on (default: the configuration's)"),
    _argument("--port", type=int, help="the port to listen on (default: the configuration's)"),
    _argument(
        "--print-record",
        metavar="CARD_UUID",
        help="print the stored decision record of a card (for 'bisphos replay') and exit",
    ),
    exits=((EXIT_OK, "the service stopped, or the record of --print-record was printed"),),
    formats="the service's log on standard error; --print-record: a decision record (JSON, "
    "bisphos-decision-record)",
)
def _serve(arguments: argparse.Namespace, engine: Engine) -> int:
    try:
        from bisphos.service.command import run  # noqa: PLC0415 - the optional extra
    except ImportError as error:
        raise InvalidValueError(
            f"the service is not installed ({error.name} is missing)",
            field="serve",
            expected="pip install 'bisphos[service]'",
        ) from None
    return run(arguments, engine, _out)


def _epilog() -> str:
    doc = __doc__ or ""
    return doc[doc.index("Exit codes:") : doc.index("A command is")].strip()


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors show a hostile argument escaped."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT_ERROR, f"{self.prog}: error: {printable(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser: every command with its arguments, formats and exit codes.

    The command-line reference of the documentation is generated from it.
    """
    parser = _Parser(
        prog="bisphos",
        description="Computable, verifiable protocols for bone-targeted drugs.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bisphos {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for item in _COMMANDS.values():
        sub = commands.add_parser(
            item.name,
            help=item.help,
            description=item.help,
            epilog=item.epilog(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for argument in item.arguments:
            sub.add_argument(*argument.flags, **argument.options)
        sub.add_argument(*OUTPUT.flags, **OUTPUT.options)
    return parser


def _problems(error: BisphosError, source: str) -> list[str]:
    """The ``path: problem`` lines of an error; a problem without a path is the file's."""
    problems = error.problems if isinstance(error, PatientInputError) else (error,)
    lines = []
    for problem in problems:
        line = str(problem)
        line = line if problem.field else f"{source or 'bisphos'}: {line}"
        lines.append(printable(line, lines=True))
    return lines


def main(argv: Sequence[str] | None = None, *, engine: Engine | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Args:
        argv: The arguments, without the program name.
        engine: The engine to use; by default the one with the installed plugins.
    """
    try:
        arguments = build_parser().parse_args(argv)
    except SystemExit as exit_:  # usage errors (2), --help and --version (0)
        return exit_.code if isinstance(exit_.code, int) else EXIT_INPUT_ERROR
    source = printable(str(Path(arguments.patient_file))) if "patient_file" in arguments else ""
    with _interrupts() as interrupted:
        try:
            return _run(_COMMANDS[arguments.command], arguments, engine or default_engine())
        except BisphosError as error:
            if interrupted.is_set():  # Ctrl-C while a plugin ran: its PluginError is ours
                return EXIT_INTERRUPTED
            for line in _problems(error, source):
                print(line, file=sys.stderr)
            return EXIT_INPUT_ERROR
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader stopped early (``| head``): no traceback, and never a success code.
            _silence_stdout()
            return EXIT_NOT_CLEARED


@contextlib.contextmanager
def _interrupts() -> Iterator[threading.Event]:
    """Tell a real Ctrl-C from a ``KeyboardInterrupt`` a plugin raises.

    A plugin's ``KeyboardInterrupt`` (or ``SystemExit``) is a ``PluginError``, exit 2; the
    signal, even when it arrives while plugin code runs, is exit 130.
    """
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def on_interrupt(signum: int, frame: object) -> None:
        interrupted.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(item: Command, arguments: argparse.Namespace, engine: Engine) -> int:
    """Run a command, its output to standard output or to the file named by ``--output``.

    The file is written beside its target and put in its place only when the command returns
    (an error leaves an earlier file as it was, never half a document).
    """
    if arguments.output is None or item.writes_output:
        return item.run(arguments, engine)
    target = Path(arguments.output)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
            "w",
            encoding="utf-8",
            newline="",
            dir=target.parent,
            prefix=f".{target.name}.",
            delete=False,
        )
    except (OSError, ValueError) as error:
        raise _unwritable(target, error) from None
    try:
        with handle, contextlib.redirect_stdout(handle):
            code = item.run(arguments, engine)
        os.replace(handle.name, target)
    except OSError as error:
        _remove(handle.name)
        raise _unwritable(target, error) from None
    except BaseException:
        _remove(handle.name)
        raise
    return code


def _unwritable(target: Path, error: Exception) -> InvalidValueError:
    reason = getattr(error, "strerror", None) or type(error).__name__
    return InvalidValueError(
        f"cannot write the output file: {reason}",
        field="--output",
        value=printable(str(target)),
        expected="a file in a directory that can be written to",
    )


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the exit flush cannot fail again."""
    try:
        descriptor = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
    except (OSError, ValueError, io.UnsupportedOperation):
        return
