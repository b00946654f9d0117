"""Emptying bisphos's caches of computed values, for tests and benchmarks.

bisphos keeps pure results — parsed units, the decimals of floats, calendar dates, limited doses,
preparations — in ``functools`` caches, and in two small tables keyed by identity (whether a
unit kind accepts its own unit, the spelling of a unit). A process keeps them for its life. A
test that must meet the functions and not their remembered answers (mutation testing forks every
mutant from a process that already ran the tests), or a benchmark that must meet its patients
as new ones, empties them first.
"""

from __future__ import annotations

import sys

__all__ = ["clear_caches"]

# Strategies cached by bisphos.testing are test helpers, not computed values: they are kept.
_KEPT_PREFIX = "bisphos.testing"


def clear_caches() -> int:
    """Empty every cache of computed values of the loaded bisphos modules; return how many.

    Modules not imported yet have nothing cached and are not imported.
    """
    cleared: set[int] = set()
    for name, module in list(sys.modules.items()):
        if name != "bisphos" and not name.startswith("bisphos."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            owner = getattr(value, "__module__", None) or ""
            ours = owner.startswith("bisphos.") and not owner.startswith(_KEPT_PREFIX)
            if callable(clear) and ours and id(value) not in cleared:
                clear()
                cleared.add(id(value))
    # The two tables keyed by identity (unit kinds, unit spellings) are plain dicts.
    quantities = sys.modules.get("bisphos.quantities")
    if quantities is not None:
        quantities._ACCEPTS.clear()
    units = sys.modules.get("bisphos.units")
    if units is not None:
        units._TEXTS.clear()
    return len(cleared)
