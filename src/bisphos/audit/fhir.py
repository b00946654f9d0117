"""Histories from FHIR R4 Bundles: one Bundle per patient, read for an audit.

Each Bundle holds one Patient with its Condition, its MedicationAdministrations and its
Observations (:func:`bisphos.fhir.reader.read_history_bundle`: the codes and units of the FHIR
reader, every dated value kept). :func:`history_from_bundles` turns them into the three tables
of :mod:`bisphos.audit.history`, checked as every history is; a problem of a Bundle is a
:class:`~bisphos.errors.FhirInputError` naming the file, the resource and the element.

An administration's infusion time is its ``effectivePeriod`` (start to end) and its volume its
``dosage.rateQuantity`` times that time; its dose is ``dosage.dose`` in mg.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

import pandas as pd

from bisphos.audit.history import LAB_MEASUREMENTS, TABLES, History, history_from_frames
from bisphos.errors import FhirInputError, InputError, InvalidValueError
from bisphos.fhir.reader import (
    MAX_TEXT_BYTES,
    HistoryReading,
    bundle_from_text,
    read_history_bundle,
)
from bisphos.validation import read_bounded

__all__ = ["history_from_bundles", "read_bundles"]

#: The kind of each field the FHIR reader gives.
_KIND: Final = {
    "weight": "weight_kg",
    "height": "height_cm",
    "temperature": "temperature_c",
    **LAB_MEASUREMENTS,
}


def history_from_bundles(readings: Iterable[HistoryReading], *, source: str = "") -> History:
    """The history of the patients of ``readings`` (one reading per patient).

    Raises:
        TableInputError: a value the tables do not accept (two Bundles of one patient, a value
            outside its plausible range ...).
    """
    patients: list[tuple[object, ...]] = []
    given: list[tuple[object, ...]] = []
    measured: list[tuple[object, ...]] = []
    for reading in readings:
        patients.append((reading.patient_id, reading.birth_date, reading.sex, reading.diagnosis))
        given += [
            (reading.patient_id, day, drug, dose, volume, minutes)
            for drug, day, dose, volume, minutes, _ in reading.administrations
        ]
        measured += [
            (reading.patient_id, day, _KIND[field], value)
            for field, day, value, _ in reading.measurements
        ]
    frames = [
        pd.DataFrame.from_records(rows, columns=[column.name for column in TABLES[name]])
        for name, rows in zip(TABLES, (patients, given, measured), strict=True)
    ]
    return history_from_frames(*frames, source=source)


def _bundle_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
    return [path]


def read_bundles(path: str | Path) -> History:
    """The history of a FHIR Bundle file (``.json``) or of a directory of them.

    Raises:
        FhirInputError: a Bundle cannot be read or holds problems (the file, resource and
            element named).
        TableInputError: the values read are not accepted as a history.
    """
    files = _bundle_files(Path(path))
    readings = []
    for file in files:
        try:
            text = read_bounded(file, limit=MAX_TEXT_BYTES, field="").decode("utf-8")
        except (InputError, UnicodeDecodeError) as error:
            raise FhirInputError(
                [InvalidValueError(f"cannot read the file: {error}", value=str(file))],
                source=str(file),
            ) from None
        readings.append(
            read_history_bundle(bundle_from_text(text, source=str(file)), source=str(file))
        )
    return history_from_bundles(readings, source=str(path))
