"""The products an infusion is drawn up from: the hospital's formulary (P-PREP-PRODUCT).

A preparation names the product it is drawn up from and the product's concentration, the volume
to draw up (in whole steps of the syringe's resolution) and the diluent the dose is made up
with. Without a hospital's formulary the defaults of the reading hold: zoledronic acid
concentrate 4 mg/5 ml (0.8 mg/ml) in 5 ml vials, pamidronate disodium concentrate 3 mg/ml in
10 ml vials, a syringe resolution of 0.01 ml and NaCl 0.9 %.

A hospital's plugin supplies its own through the hook ``bisphos_formulary``
(:mod:`bisphos.plugins.hookspecs`), as a :class:`Formulary`. What it returns is read by
:func:`read_formulary` the way the gate reads a plan: every value must be exactly of the library's
class (a quantity of :data:`bisphos.units.ureg` with a plain ``float`` or ``int`` magnitude, a
:class:`~bisphos.model.Drug`, plain text), and is copied, so nothing the plugin keeps can change it
later. A concentration of the wrong dimension, zero or negative, or outside the range of the
drug's real products (:data:`~bisphos.pediatric.table.PRODUCT_CONCENTRATION_RANGE_MG_ML`), a
product of the other drug, a vial that is not a positive volume, or a syringe resolution of zero
or coarser than 1 ml is a :class:`~bisphos.errors.PluginError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Final

import attrs
from pint.util import UnitsContainer

from bisphos._contain import describe
from bisphos.errors import PluginError
from bisphos.model import Drug
from bisphos.pediatric import table as t
from bisphos.units import Quantity, quantity, ureg
from bisphos.validation import printable

__all__ = [
    "DEFAULT_DILUENT",
    "DEFAULT_FORMULARY",
    "DEFAULT_PRODUCTS",
    "FORMULARY_HOOK",
    "Formulary",
    "Product",
    "local_formulary",
    "read_formulary",
]

#: The hook a hospital's plugin supplies its formulary through.
FORMULARY_HOOK: Final = "bisphos_formulary"
#: The carrier fluid of both drugs (P-ZOL-DOSE, P-PAM-DOSE).
DEFAULT_DILUENT: Final = "NaCl 0.9 %"
#: The longest name of a product or diluent.
_LONGEST_NAME: Final = 120


@attrs.frozen
class Product:
    """A product an infusion is drawn up from.

    Attributes:
        name: The product's name as the pharmacy knows it, e.g.
            ``"zoledronic acid concentrate 4 mg/5 ml"``.
        drug: The drug it holds.
        concentration: Its concentration, a mass per volume (mg/ml).
        vial: The volume of one vial (ml).
    """

    name: str
    drug: Drug
    concentration: Quantity
    vial: Quantity


def _product(name: str, drug: Drug, strength: t.Number, vial: t.Number) -> Product:
    return Product(
        name=name,
        drug=drug,
        concentration=quantity(strength.value, strength.unit),
        vial=quantity(vial.value, vial.unit),
    )


#: The products of the reading, P-PREP-PRODUCT.
DEFAULT_PRODUCTS: Final[Mapping[Drug, Product]] = MappingProxyType(
    {
        Drug.ZOLEDRONIC_ACID: _product(
            t.ZOLEDRONIC_ACID_PRODUCT_MG_ML.name,
            Drug.ZOLEDRONIC_ACID,
            t.ZOLEDRONIC_ACID_PRODUCT_MG_ML,
            t.ZOLEDRONIC_ACID_PRODUCT_VIAL_ML,
        ),
        Drug.PAMIDRONATE: _product(
            t.PAMIDRONATE_PRODUCT_MG_ML.name,
            Drug.PAMIDRONATE,
            t.PAMIDRONATE_PRODUCT_MG_ML,
            t.PAMIDRONATE_PRODUCT_VIAL_ML,
        ),
    }
)


_DEFAULT_RESOLUTION: Final = quantity(t.SYRINGE_RESOLUTION_ML.value, "mL")


@attrs.frozen
class Formulary:
    """What a hospital draws its infusions up from (P-PREP-PRODUCT).

    Every field defaults to the reading's: a plugin names only what it changes, e.g.
    ``Formulary(pamidronate=Product(...), syringe_resolution=quantity(0.1, "mL"))``.

    Attributes:
        zoledronic_acid: The zoledronic acid product.
        pamidronate: The pamidronate product.
        syringe_resolution: The smallest volume the syringes measure, a volume of more than 0
            and at most 1 ml; the volume drawn up is a whole number of it.
        diluent: The carrier fluid the dose is made up with.
        source: Who supplies it: empty for the reading's defaults, else the plugin's name.
    """

    zoledronic_acid: Product = DEFAULT_PRODUCTS[Drug.ZOLEDRONIC_ACID]
    pamidronate: Product = DEFAULT_PRODUCTS[Drug.PAMIDRONATE]
    syringe_resolution: Quantity = _DEFAULT_RESOLUTION
    diluent: str = DEFAULT_DILUENT
    source: str = ""

    def product(self, drug: Drug) -> Product:
        """The product of ``drug``."""
        return self.zoledronic_acid if drug is Drug.ZOLEDRONIC_ACID else self.pamidronate


#: The reading's formulary, used when no plugin supplies one.
DEFAULT_FORMULARY: Final = Formulary()

_QUANTITY: Final = ureg.Quantity
_ML: Final = ureg.parse_units("milliliter")._units
_MG_PER_ML: Final = ureg.parse_units("milligram / milliliter")._units
_RANGES: Final = {
    drug: (low.decimal, high.decimal)
    for drug, (low, high) in t.PRODUCT_CONCENTRATION_RANGE_MG_ML.items()
}
_COARSEST: Final = t.SYRINGE_RESOLUTION_MAX_ML.decimal


def _refused(message: str, field: str, value: object, expected: str) -> PluginError:
    return PluginError(message, field=field, value=describe(value), expected=expected)


def _decimal(value: object, unit: UnitsContainer, field: str, expected: str) -> Decimal:
    """The magnitude of ``value`` in ``unit`` as an exact decimal, read without its methods.

    Raises:
        PluginError: not exactly a quantity of the registry with a plain number, another
            dimension, not finite or not above zero.
    """
    if type(value) is not _QUANTITY:
        raise _refused("not a quantity of the bisphos unit registry", field, value, expected)
    state = vars(value)
    magnitude, units = state.get("_magnitude"), state.get("_units")
    if type(magnitude) not in (float, int) or type(units) is not UnitsContainer:
        raise _refused("a quantity's magnitude is not a plain number", field, magnitude, expected)
    try:
        number = float(ureg.convert(float(magnitude), units, unit))  # type: ignore[arg-type]
    except Exception:  # another dimension, or a unit the registry cannot convert
        raise _refused(
            f"not a quantity of the dimension of {ureg.Unit(unit):~P}", field, str(units), expected
        ) from None
    if not math.isfinite(number) or not number > 0:
        raise _refused("must be finite and above zero", field, number, expected)
    return Decimal(repr(number))


def _name(value: object, field: str) -> str:
    expected = f"a non-empty str of at most {_LONGEST_NAME} characters"
    if type(value) is not str or not value.strip():
        raise _refused("a name must be text", field, value, expected)
    if len(value) > _LONGEST_NAME:
        raise _refused("a name too long", field, len(value), expected)
    if printable(value) != value:
        raise _refused("a name must be printable text", field, value, "printable text")
    return value


def _read_product(value: object, drug: Drug, field: str) -> Product:
    if type(value) is not Product:
        raise _refused(
            "not a bisphos Product", field, value, "a bisphos.pediatric.formulary.Product"
        )
    # Exactly the library's class: its fields are read as attributes, no method of a subclass runs.
    state = {name: getattr(value, name) for name in ("name", "drug", "concentration", "vial")}
    if state["drug"] is not drug:
        raise _refused(
            "a product of another drug", f"{field}.drug", describe(state["drug"]), drug.value
        )
    name = _name(state["name"], f"{field}.name")
    other = "pamidron" if drug is Drug.ZOLEDRONIC_ACID else "zoledron"
    if other in name.lower():
        raise _refused(
            "the product's name names the other drug",
            f"{field}.name",
            name,
            f"a product of {drug.value.replace('_', ' ')}",
        )
    low, high = _RANGES[drug]
    expected = f"a concentration from {low:f} to {high:f} mg/ml"
    strength = _decimal(state["concentration"], _MG_PER_ML, f"{field}.concentration", expected)
    if not low <= strength <= high:
        raise _refused(
            f"a concentration no {drug.value.replace('_', ' ')} product has",
            f"{field}.concentration",
            f"{strength:f} mg/ml",
            expected,
        )
    vial = _decimal(state["vial"], _ML, f"{field}.vial", "a vial of more than 0 ml")
    return Product(
        name=name,
        drug=drug,
        concentration=quantity(float(strength), "mg/mL"),
        vial=quantity(float(vial), "mL"),
    )


def local_formulary(hooks: object, patient: object) -> Formulary:
    """The formulary the local plugins supply, checked; the reading's without one.

    ``hooks`` is the plan's hooks; those with a ``formulary(patient)`` method (the plugin facade,
    :class:`bisphos.plugins.manager.PluginHooks`) are asked, others keep the defaults. At most one
    plugin may supply a formulary.

    Raises:
        PluginError: two plugins supply one, or the one supplied is not what P-PREP-PRODUCT
            accepts.
    """
    ask = getattr(hooks, "formulary", None)
    if not callable(ask):
        return DEFAULT_FORMULARY
    answers = ask(patient)
    supplied = [
        a for a in (answers if isinstance(answers, Sequence) else (answers,)) if a is not None
    ]
    if not supplied:
        return DEFAULT_FORMULARY
    if len(supplied) > 1:
        raise PluginError(
            "more than one plugin supplies a formulary",
            field=FORMULARY_HOOK,
            value=len(supplied),
            expected="at most one formulary",
        )
    return read_formulary(supplied[0])


def read_formulary(value: object, where: str = FORMULARY_HOOK) -> Formulary:
    """Read a plugin's formulary the way the gate reads a plan, and return a checked copy.

    Args:
        value: What the hook returned.
        where: The field the errors name, the hook's by default.

    Raises:
        PluginError: the formulary, one of its products or its syringe resolution is not what
            P-PREP-PRODUCT accepts (the field, the value and what was expected are named).
    """
    if type(value) is not Formulary:
        raise _refused(
            "not a bisphos Formulary", where, value, "a bisphos.pediatric.formulary.Formulary"
        )
    zoledronic_acid = _read_product(
        value.zoledronic_acid, Drug.ZOLEDRONIC_ACID, f"{where}.zoledronic_acid"
    )
    pamidronate = _read_product(value.pamidronate, Drug.PAMIDRONATE, f"{where}.pamidronate")
    expected = f"a volume of more than 0 and at most {_COARSEST:f} ml"
    resolution = _decimal(value.syringe_resolution, _ML, f"{where}.syringe_resolution", expected)
    if resolution > _COARSEST:
        raise _refused(
            "a syringe resolution coarser than 1 ml",
            f"{where}.syringe_resolution",
            f"{resolution:f} ml",
            expected,
        )
    return Formulary(
        zoledronic_acid=zoledronic_acid,
        pamidronate=pamidronate,
        syringe_resolution=quantity(float(resolution), "mL"),
        diluent=_name(value.diluent, f"{where}.diluent"),
        source=_name(value.source, f"{where}.source") if value.source != "" else "local plugin",
    )
