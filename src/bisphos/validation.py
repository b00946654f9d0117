"""The limits every input meets before any of its values is used: files, structure, text, dates.

Everything a file or a record holds is checked here before it is interpreted:

- **Files** (:func:`read_bounded`): regular files only (no FIFO, device, socket or directory, also
  not through a symbolic link), opened without blocking, and at most :data:`MAX_INPUT_BYTES`
  bytes (the ``BISPHOS_MAX_INPUT_BYTES`` environment variable or a ``limit`` argument sets
  another); at most ``limit + 1`` bytes are ever read, so a file that grows while it is read is
  refused too.
- **Structure** (:func:`check_structure`): nesting depth, length of every list and text, integers
  within 64 bits and floats finite, walked without recursion. JSON text is checked for its
  nesting depth before it is parsed (:func:`check_json_depth`), so a document nested 100,000 deep
  is a typed error, not a ``RecursionError``.
- **Text** (:func:`check_text`): only text that a terminal shows as it is: no lone surrogates or
  other text that cannot be encoded as UTF-8, no control or format characters (escape sequences,
  carriage returns, line and paragraph separators, bidirectional overrides, zero-width
  characters), no private-use or unassigned code points; :func:`printable` writes any text with
  such characters escaped, for the places that must show a value that was refused.
- **Dates** (:func:`parse_iso_date`): ISO calendar dates ``YYYY-MM-DD`` in ASCII digits only (no
  week dates such as ``2019-W11-4``, no ordinal dates, no times), from :data:`DATE_MIN` to
  :data:`DATE_MAX`, so that no date arithmetic of a plan can leave the calendar.

Every refusal is an :class:`~bisphos.errors.InputError` naming the field, the value (escaped) and
the limit; a limit of size or structure is an :class:`~bisphos.errors.InputLimitError`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeAlias

import attrs

from bisphos.errors import InputLimitError, InvalidValueError

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "MAX_INPUT_BYTES",
    "MAX_INPUT_BYTES_ENV",
    "MAX_INTEGER_BITS",
    "MAX_PLUGIN_TEXT_LENGTH",
    "MAX_TEXT_LENGTH",
    "StructureLimits",
    "canonical_text",
    "check_date_range",
    "check_json_depth",
    "check_structure",
    "check_text",
    "date_in_range",
    "input_byte_limit",
    "parse_iso_date",
    "parse_iso_datetime",
    "picture",
    "printable",
    "read_bounded",
    "safe_path",
]

#: The largest file read by default (patient files and decision records): 1 MiB.
MAX_INPUT_BYTES: Final = 1024 * 1024
#: The environment variable that sets another file size limit, in bytes.
MAX_INPUT_BYTES_ENV: Final = "BISPHOS_MAX_INPUT_BYTES"
#: Integers of an input are within this many bits (a signed 64-bit integer).
MAX_INTEGER_BITS: Final = 63
#: The longest text of an input field unless the field sets its own length.
MAX_TEXT_LENGTH: Final = 256
#: The longest text a plugin's finding or proposal keeps: a piece of evidence (name, value and
#: limit) stays within the 4000 characters a decision record reads.
MAX_PLUGIN_TEXT_LENGTH: Final = 1000
#: The earliest date any input may hold.
DATE_MIN: Final = dt.date(1900, 1, 1)
#: The latest date any input may hold: far enough for any plan, far from the calendar's end.
DATE_MAX: Final = dt.date(2199, 12, 31)

# Unicode categories refused in text: control, format, surrogate, private use, unassigned, and
# the line and paragraph separators.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def input_byte_limit(limit: int | None = None) -> int:
    """Return the file size limit: ``limit`` if given, else the environment's, else the default.

    Raises:
        InvalidValueError: ``limit`` or ``BISPHOS_MAX_INPUT_BYTES`` is not a positive whole
            number of bytes.
    """
    if limit is None:
        raw = os.environ.get(MAX_INPUT_BYTES_ENV, "").strip()
        if not raw:
            return MAX_INPUT_BYTES
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
            raise InvalidValueError(
                "not a size in bytes",
                field=MAX_INPUT_BYTES_ENV,
                value=printable(raw[:40]),
                expected="a positive whole number of bytes, e.g. 1048576",
            )
        return int(raw)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:  # type: ignore[redundant-expr]
        raise InvalidValueError(
            "not a size in bytes", field="limit", value=limit, expected="a positive whole number"
        )
    return limit


def read_bounded(
    path: str | os.PathLike[str], *, limit: int | None = None, field: str = ""
) -> bytes:
    """Read a regular file of at most ``limit`` bytes (see :func:`input_byte_limit`).

    The file is opened without blocking (a FIFO cannot hang the read), checked with ``fstat`` to
    be a regular file, and read for at most ``limit + 1`` bytes.

    Args:
        path: The file.
        limit: The largest size accepted, in bytes.
        field: What the file is, named in errors (default: the path).

    Raises:
        InvalidValueError: the file cannot be opened, is not a regular file, or cannot be read.
        InputLimitError: the file is larger than ``limit``.
    """
    size_limit = input_byte_limit(limit)
    name = field or printable(os.fspath(path))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        # Refuse what is not a regular file before opening it: opening a device can act.
        regular = stat.S_ISREG(os.stat(path).st_mode)
        descriptor = os.open(path, flags) if regular else -1
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        raise _unreadable(name, error) from None
    if not regular:
        raise _not_regular(name)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):  # replaced between the two checks
            raise _not_regular(name)
        if status.st_size > size_limit:
            raise _too_large(name, size_limit)
        chunks: list[bytes] = []
        remaining = size_limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise _unreadable(name, error) from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > size_limit:  # the file grew while it was read
        raise _too_large(name, size_limit)
    return data


def _not_regular(name: str) -> InvalidValueError:
    return InvalidValueError(
        "cannot read the file: not a regular file",
        field=name,
        expected="a regular file (not a FIFO, device, socket or directory)",
    )


def _unreadable(name: str, error: Exception) -> InvalidValueError:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return InvalidValueError(f"cannot read the file: {printable(reason)}", field=name)


def _too_large(name: str, limit: int) -> InputLimitError:
    return InputLimitError(
        f"cannot read the file: larger than the limit of {limit} bytes",
        field=name,
        limit=MAX_INPUT_BYTES_ENV,
        expected=f"at most {limit} bytes (set {MAX_INPUT_BYTES_ENV} for another limit)",
    )


def printable(text: str, *, lines: bool = False) -> str:
    r"""Return ``text`` with every character :func:`check_text` refuses written as an escape.

    Newlines, carriage returns, escape characters, bidirectional overrides, lone surrogates and
    the like become ``\\n``, ``\\r``, ``\\x1b``, ``\\u202e``, ``\\udc80``; a backslash is kept as
    it is. What a terminal shows is then what the text holds.

    Args:
        text: Any text.
        lines: Keep the newlines (``"\\n"``) of a text of several lines, escape the rest.
    """
    if text.isprintable():
        return text
    if lines:
        return "\n".join(printable(line) for line in text.split("\n"))
    return "".join(_escaped(character) for character in text)


def _escaped(character: str) -> str:
    if character == " " or unicodedata.category(character) not in _REFUSED_CATEGORIES:
        return character
    return repr(character)[1:-1] if character not in "'\"" else character


def check_text(value: object, *, field: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Return ``value`` if it is text a terminal, a JSON, FHIR or calendar file shows as it is.

    Raises:
        InvalidValueError: ``value`` is not text, or holds a character that cannot be encoded
            (a lone surrogate), a control or format character (newline, carriage return,
            escape, tab, bidirectional override, zero-width space), a line or paragraph
            separator, a private-use or unassigned code point.
        InputLimitError: ``value`` is longer than ``max_length`` characters.
    """
    if not isinstance(value, str):
        raise InvalidValueError("not text", field=field, value=picture(value), expected="a string")
    if len(value) > max_length:
        raise InputLimitError(
            f"text longer than {max_length} characters",
            field=field,
            value=printable(value[:40]) + "...",
            limit=f"{max_length} characters",
            expected=f"at most {max_length} characters",
        )
    if value.isprintable():  # the common case: no refused character at all
        return value
    for index, character in enumerate(value):
        category = unicodedata.category(character)
        if category in _REFUSED_CATEGORIES:
            raise InvalidValueError(
                f"holds {_describe(category)} U+{ord(character):04X} at position {index}",
                field=field,
                value=value[:80],  # shown by repr: every refused character escaped
                expected="printable text without control or format characters",
            )
    return value


def _describe(category: str) -> str:
    return {
        "Cc": "the control character",
        "Cf": "the format character",
        "Cs": "a lone surrogate (not encodable as UTF-8)",
        "Co": "the private-use character",
        "Cn": "the unassigned code point",
        "Zl": "the line separator",
        "Zp": "the paragraph separator",
    }[category]


def canonical_text(value: str, *, max_length: int = MAX_PLUGIN_TEXT_LENGTH) -> str:
    r"""Return a plugin's text in the form every output and decision record keeps.

    Every character :func:`check_text` refuses is written as its escape (:func:`printable`: a
    newline is ``\n``, NUL ``\x00``, a lone surrogate ``\ud800``), so the text reads back
    from a record, encodes as UTF-8 and shows on one terminal line; a text longer than
    ``max_length`` characters is cut, ending in ``…``.
    """
    text = printable(value)
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def picture(value: object) -> str:
    """Return a printable, bounded picture of any value (for errors), safe for huge integers."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a huge or self-referencing value
        return f"a {type(value).__name__}"
    return printable(text if len(text) <= 80 else text[:77] + "...")


def parse_iso_date(value: object, *, field: str) -> dt.date:
    """Return the date written ``YYYY-MM-DD`` in ASCII digits, within the accepted range.

    The range is :data:`DATE_MIN` to :data:`DATE_MAX`; a :class:`datetime.date` (not a datetime)
    is range-checked only.

    Raises:
        InvalidValueError: another type or form (``2019-W11-4``, ``2019-070``, ``20190311``, a
            time), a date that does not exist, or a date outside the range.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return check_date_range(value, field=field)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return check_date_range(parsed, field=field)
    raise InvalidValueError(
        "not a date",
        field=field,
        value=value if isinstance(value, str) and len(value) <= 40 else picture(value),
        expected="an ISO date YYYY-MM-DD",
    )


def parse_iso_datetime(value: object, *, field: str) -> dt.datetime:
    """Return the date and time written ``YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+HH:MM]``.

    ASCII digits only, the date within :data:`DATE_MIN` to :data:`DATE_MAX`; a
    :class:`datetime.datetime` is range-checked only.

    Raises:
        InvalidValueError: another form (a week date, a date alone, a space for the ``T``), a
            time that does not exist, or a date outside the range.
    """
    if isinstance(value, dt.datetime):
        check_date_range(value.date(), field=field)
        return value
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            check_date_range(parsed.date(), field=field)
            return parsed
    raise InvalidValueError(
        "not a date and time",
        field=field,
        value=value if isinstance(value, str) and len(value) <= 40 else picture(value),
        expected="an ISO date and time such as 2026-11-23T09:30",
    )


_ISO_DATETIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?",
    re.ASCII,
)


def check_date_range(value: object, *, field: str) -> dt.date:
    """Return ``value`` if it is from :data:`DATE_MIN` to :data:`DATE_MAX`.

    Raises:
        InvalidValueError: it is not, or it is not a date.
    """
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidValueError(
            "not a date", field=field, value=picture(value), expected="a datetime.date"
        )
    if not DATE_MIN <= value <= DATE_MAX:
        raise InvalidValueError(
            "the date is outside the range bisphos accepts",
            field=field,
            value=value.isoformat(),
            expected=f"a date from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}",
        )
    return value


def date_in_range(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator: ``None`` or a date from :data:`DATE_MIN` to :data:`DATE_MAX`."""
    if value is not None:
        check_date_range(value, field=attribute.name)


@attrs.frozen
class StructureLimits:
    """The limits :func:`check_structure` enforces on parsed JSON or TOML data.

    Attributes:
        max_depth: The deepest nesting of objects and lists (the top level is depth 1).
        max_items: The most items of one list or keys of one object.
        max_text: The longest text (keys and values), in characters.
        max_nodes: The most values in the whole document.
    """

    max_depth: int = 16
    max_items: int = 2000
    max_text: int = MAX_TEXT_LENGTH
    max_nodes: int = 200_000


def check_json_depth(text: str, *, max_depth: int, field: str = "") -> None:
    """Refuse JSON text nested deeper than ``max_depth``, before it is parsed.

    Brackets inside strings do not count. Text that is not JSON may pass; the parser refuses it.

    Raises:
        InputLimitError: the nesting is deeper than ``max_depth``.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return  # too few brackets to nest deeper
    brackets = _NOT_BRACKETS.sub("", _JSON_STRINGS.sub("", text))
    steps = (1 if character in "[{" else -1 for character in brackets)
    if max(itertools.accumulate(steps), default=0) > max_depth:
        raise _too_deep(field, max_depth)


_JSON_STRINGS: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS: Final = re.compile(r"[^\[\]{}]+")


def _too_deep(field: str, max_depth: int) -> InputLimitError:
    return InputLimitError(
        f"nested deeper than {max_depth} levels",
        field=field,
        limit="nesting depth",
        expected=f"at most {max_depth} levels of objects and lists",
    )


def check_structure(data: object, limits: StructureLimits, *, field: str = "") -> None:
    """Check parsed data against ``limits``, without recursion, before any value is used.

    Every key and text value is checked with :func:`check_text`, every integer is within
    :data:`MAX_INTEGER_BITS` bits, every float is finite; values of other types (a date from
    TOML, a quantity) are left to the field's own reader.

    Raises:
        InputLimitError: a limit of ``limits`` is exceeded (named in the error).
        InvalidValueError: a text holds a refused character, or a number is not finite.
    """
    max_text = limits.max_text
    # Each value's place is kept as (parent place, key or index) and written out only for an error.
    stack: list[tuple[object, _Place, int]] = [(data, field, 1)]
    nodes = 0
    while stack:
        value, place, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise InputLimitError(
                f"more than {limits.max_nodes} values",
                field=field,
                limit="values per document",
                expected=f"at most {limits.max_nodes} values",
            )
        if isinstance(value, str):
            if len(value) > max_text or not value.isprintable():
                check_text(value, field=_path(place) or "value", max_length=max_text)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if value.bit_length() > MAX_INTEGER_BITS:
                raise InputLimitError(
                    f"an integer of more than {MAX_INTEGER_BITS} bits",
                    field=_path(place) or "value",
                    value=picture(value),
                    limit="integer size",
                    expected=f"an integer from -2**{MAX_INTEGER_BITS} to 2**{MAX_INTEGER_BITS}",
                )
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidValueError(
                    "not a finite number", field=_path(place) or "value", value=picture(value)
                )
        elif isinstance(value, dict | list | tuple | Mapping):
            if depth > limits.max_depth:
                raise _too_deep(_path(place) or field, limits.max_depth)
            if len(value) > limits.max_items:
                raise InputLimitError(
                    f"more than {limits.max_items} items",
                    field=_path(place) or "value",
                    limit="items per list or object",
                    expected=f"at most {limits.max_items} items",
                )
            if isinstance(value, dict | Mapping):
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise InvalidValueError(
                            "a key is not text", field=_path(place) or "value", value=picture(key)
                        )
                    if len(key) > max_text or not key.isprintable():
                        check_text(
                            key, field=_join(_path(place), printable(key)), max_length=max_text
                        )
                    stack.append((item, (place, key), depth + 1))
            else:
                stack.extend((item, (place, i), depth + 1) for i, item in enumerate(value))


#: Where a value is: the document's field, or (the parent's place, a key or a list index).
_Place: TypeAlias = "str | tuple[_Place, str | int]"


def _path(place: _Place) -> str:
    """The path of a place as the errors name it: ``labs.calcium``, ``fractures[1].date``."""
    steps: list[str | int] = []
    while not isinstance(place, str):
        place, step = place
        steps.append(step)
    path = place
    for step in reversed(steps):
        path = f"{path}[{step}]" if isinstance(step, int) else _join(path, step)
    return path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def safe_path(path: str | os.PathLike[str]) -> str:
    """The file name as a terminal should show it (see :func:`printable`)."""
    return printable(str(Path(path)))
