"""The renal gate of P-HARD: the Schwartz-40 GFR and a local estimate, contained.

Zoledronic acid needs the protocol's GFR and any local estimate above 90 (P-GFR, P-GFR-LOCAL);
no pamidronate below 30 (P-PAM-RENAL). A local estimate is bounded to 1-250 ml/min/1.73 m² and
must come from the patient's own height and creatinine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import attrs

from bisphos._contain import contained
from bisphos.errors import PluginError
from bisphos.gate._read import CM, GFR, UMOL_L, read_exact, read_magnitude
from bisphos.gate._refusal import refusal, refuse
from bisphos.model import Drug
from bisphos.pediatric.limits import (
    LOCAL_GFR_RANGE,
    PAMIDRONATE_MIN_GFR,
)
from bisphos.pediatric.renal import GfrEstimate, GfrEstimator, schwartz_40
from bisphos.pediatric.thresholds import GFR_RESOLUTION, ZOLEDRONIC_ACID_MIN_GFR
from bisphos.units import Quantity, ureg

if TYPE_CHECKING:
    from bisphos.gate._facts import PatientFacts
    from bisphos.gate._infusions import Infusion


GFR_STEP: Final = GFR_RESOLUTION.step


ZOL_GFR_STEPS: Final = round(read_magnitude(ZOLEDRONIC_ACID_MIN_GFR, GFR, "constant") / GFR_STEP)


PAM_GFR_STEPS: Final = round(read_magnitude(PAMIDRONATE_MIN_GFR, GFR, "constant") / GFR_STEP)


LOCAL_GFR_LOW: Final = read_magnitude(LOCAL_GFR_RANGE[0], GFR, "constant")


LOCAL_GFR_HIGH: Final = read_magnitude(LOCAL_GFR_RANGE[1], GFR, "constant")


SCHWARTZ_K: Final = float(schwartz_40.k)


def gfr_steps(gfr: float) -> int:
    return round(gfr / GFR_STEP)


def estimate_local_gfr(
    estimator: GfrEstimator, height_cm: float, creatinine_umol_l: float
) -> float:
    estimate = estimator(
        height=ureg.Quantity(height_cm, CM), creatinine=ureg.Quantity(creatinine_umol_l, UMOL_L)
    )
    return read_magnitude(estimate.value, GFR, "gfr")


@attrs.frozen
class LocalEstimator:
    """A plugin's GFR estimator, contained (P-GFR-LOCAL).

    Each call gives the estimator fresh quantities (it cannot change the patient's), turns
    anything it raises into a :class:`~bisphos.errors.PluginError`, and accepts only an estimate
    of 1 to 250 ml/min/1.73 m² computed from the height and creatinine it was given.

    Attributes:
        estimator: The plugin's estimator.
        name: Its name, read once.
    """

    estimator: object
    name: str

    @classmethod
    def of(cls, estimator: object, where: str) -> LocalEstimator:
        """Contain ``estimator``, reading its name once.

        Raises:
            PluginError: it is not callable or has no name of text.
        """
        name = contained(where, lambda: getattr(estimator, "name", None))
        if type(name) is not str or not contained(where, lambda: callable(estimator)):
            raise refuse(
                "a GFR estimator must be callable and have a name",
                where,
                estimator,
                "a bisphos.pediatric.renal.GfrEstimator",
            )
        return cls(estimator, name)

    def __call__(self, *, height: Quantity, creatinine: Quantity) -> GfrEstimate:
        """Return the plugin's estimate, checked and rebuilt from the values the gate read.

        Raises:
            PluginError: the estimator failed, returned no GfrEstimate, an estimate outside
                1-250 ml/min/1.73 m², or one from another height or creatinine.
        """
        height_cm = read_magnitude(height, CM, "height")
        creatinine_umol_l = read_magnitude(creatinine, UMOL_L, "labs.creatinine")
        where = "bisphos_gfr_estimator"
        call: Callable[[], object] = self.estimator  # type: ignore[assignment]
        result = contained(
            where,
            lambda: call(  # type: ignore[call-arg]
                height=ureg.Quantity(height_cm, CM),
                creatinine=ureg.Quantity(creatinine_umol_l, UMOL_L),
            ),
        )
        estimate = read_exact(result, GfrEstimate, "gfr")
        value = read_magnitude(estimate.value, GFR, "gfr")
        if not LOCAL_GFR_LOW <= value <= LOCAL_GFR_HIGH:
            raise PluginError(
                f"the local GFR estimate of {self.name} is outside 1-250 ml/min/1.73 m² "
                "(P-GFR-LOCAL)",
                field="gfr",
                value=value,
                expected="an estimate from 1 to 250 ml/min/1.73 m²",
            )
        used = (
            read_magnitude(estimate.height, CM, "gfr.height"),
            read_magnitude(estimate.creatinine, UMOL_L, "gfr.creatinine"),
        )
        if not (close_to(used[0], height_cm) and close_to(used[1], creatinine_umol_l)):
            raise PluginError(
                f"the local GFR estimate of {self.name} is computed from another height or "
                "creatinine than the patient's (P-GFR-LOCAL)",
                field="gfr",
                value=f"{used[0]:g} cm, {used[1]:g} µmol/l",
                expected=f"{height_cm:g} cm, {creatinine_umol_l:g} µmol/l",
            )
        constant = estimate.constant
        return GfrEstimate(
            value=ureg.Quantity(value, GFR),
            estimator=self.name,
            constant=float(constant) if type(constant) in (float, int) else None,  # type: ignore[arg-type]
            height=ureg.Quantity(height_cm, CM),
            creatinine=ureg.Quantity(creatinine_umol_l, UMOL_L),
            rule_ids=("P-GFR", "P-GFR-LOCAL"),
        )


def close_to(used: float, actual: float) -> bool:
    """Equal up to a conversion's rounding (one part in a billion)."""
    return abs(used - actual) <= 1e-9 * max(abs(actual), 1.0)


def check_renal(item: Infusion, facts: PatientFacts) -> None:
    gfr = facts.schwartz_gfr
    if item.drug is Drug.ZOLEDRONIC_ACID and not facts.zoledronic_acid_allowed:
        local = facts.local_gfr
        shown = "none" if gfr is None else f"{gfr:.1f}"
        if local is not None:
            shown += f", local estimate {local:.1f}"
        raise refusal(
            "zoledronic acid planned without a GFR above 90 ml/min/1.73 m²",
            item.index,
            "P-GFR-LOCAL" if local is not None else "P-GFR",
            "Schwartz-40 GFR and any local estimate above 90 ml/min/1.73 m²",
            shown,
            "ml/min/1.73 m²",
            message_id="gate.zoledronic-acid-gfr",
        )
    if item.drug is Drug.PAMIDRONATE and gfr is not None and not facts.pamidronate_allowed:
        raise refusal(
            "pamidronate planned with a Schwartz-40 GFR below 30 ml/min/1.73 m²",
            item.index,
            "P-PAM-RENAL",
            "no pamidronate below 30 ml/min/1.73 m²",
            f"{gfr:.1f}",
            "ml/min/1.73 m²",
            message_id="gate.pamidronate-gfr",
        )
