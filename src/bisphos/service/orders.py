"""The order check behind the order hooks: :func:`bisphos.check_order`, seen as a card sees it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bisphos.engine import Engine
from bisphos.model import Patient
from bisphos.service.cards import OrderView
from bisphos.service.errors import ServiceError

__all__ = ["check"]


def check(
    engine: Engine, patient: Patient, order: Mapping[str, Any], on: dt.date
) -> OrderView | None:
    """Judge one draft ``MedicationRequest``; ``None`` when it orders no drug of the protocol."""
    raise ServiceError("the order check is not available in this installation")
