"""The comparison resolution of the oncology protocol's thresholds.

A value is rounded to :data:`DECIMALS` decimals of its canonical unit before it is compared with a
threshold. Unit conversions and formulas leave float noise of about 1e-14 (60 ml/min entered as
3.6 l/h becomes 60.00000000000001 ml/min); without rounding that noise would move a clearance of
exactly 60 ml/min into the band above. 1e-6 of a canonical unit (ml/min, 10^9/l, g/dl, months) is
far above that noise and far below any difference a laboratory reports. Rounding is monotone, so a
larger value never lands in a lower band than a smaller one.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DECIMALS", "resolve"]

#: Decimals of the canonical unit kept before a comparison with a threshold.
DECIMALS: Final = 6


def resolve(magnitude: float) -> float:
    """Return ``magnitude`` rounded to :data:`DECIMALS` decimals, as compared with thresholds."""
    return round(magnitude, DECIMALS)
