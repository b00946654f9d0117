"""Which kind of patient a file holds, read without loading either protocol.

A patient file is JSON or TOML. An adult oncology file says so with ``"kind": "adult-oncology"``;
a pediatric file has no ``kind``. The command line reads the file's kind with
:func:`is_adult_patient_file` before it loads the protocol the kind calls for, so a child's plan
never loads the oncology tables. Files are read and parsed as the pediatric reader reads them
(:func:`bisphos.io.read_text_file`: regular files within the input size limit, UTF-8;
:func:`bisphos.io.parse_json`: bounded nesting and numbers, no repeated keys, no NaN).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from bisphos.errors import BisphosError, InputError, InvalidValueError, PatientInputError
from bisphos.io import PATIENT_LIMITS, parse_json, read_text_file
from bisphos.validation import printable

__all__ = [
    "ADULT_KIND",
    "is_adult_file",
    "is_adult_patient_file",
    "parse_patient_text",
    "read_patient_file",
]

#: The value of ``kind`` that marks an adult oncology patient file.
ADULT_KIND: Final = "adult-oncology"


def is_adult_file(data: object) -> bool:
    """Return whether parsed file content declares itself an adult oncology patient."""
    return isinstance(data, Mapping) and data.get("kind") == ADULT_KIND


def parse_patient_text(text: str, *, file_format: str, source: str = "") -> object:
    """Parse JSON or TOML text into plain data (any patient file, adult or pediatric).

    Raises:
        PatientInputError: the text does not parse, has a non-finite number or a repeated key.
    """
    try:
        if file_format == "json":
            return parse_json(text, max_depth=PATIENT_LIMITS.max_depth)
        if file_format == "toml":
            return tomllib.loads(text)
        raise InvalidValueError("unknown format", value=file_format, expected="json or toml")
    except BisphosError as error:
        problem = error if isinstance(error, InputError) else InvalidValueError(str(error))
        raise PatientInputError([problem], source=source) from None
    except (ValueError, RecursionError) as error:
        raise PatientInputError(
            [InvalidValueError(f"not valid {file_format.upper()}: {error}")], source=source
        ) from None


def read_patient_file(path: str | Path) -> tuple[object, str]:
    """Read and parse a ``.json`` or ``.toml`` patient file; return its data and its name.

    Raises:
        PatientInputError: the file cannot be read, has another suffix, or does not parse.
    """
    file = Path(path)
    source = printable(str(file))
    suffix = file.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise PatientInputError(
            [InvalidValueError("unknown file type", value=file.suffix, expected=".json or .toml")],
            source=source,
        )
    text = read_text_file(file)
    return parse_patient_text(text, file_format=suffix[1:], source=source), source


def is_adult_patient_file(path: str | Path) -> bool:
    """Return whether ``path`` holds an adult oncology patient (``"kind": "adult-oncology"``).

    A file that cannot be read or parsed is not one: the pediatric reader then reports why.
    """
    try:
        data, _ = read_patient_file(path)
    except BisphosError:
        return False
    return is_adult_file(data)
