"""Containing code the library does not trust: plugin calls, and values it must describe.

:func:`contained` runs a call and turns anything it raises — ``BaseException`` included, so a
``sys.exit`` or a ``KeyboardInterrupt`` raised inside a hook — into one
:class:`~bisphos.errors.PluginError`. An error of the library's own classes, with plain values,
passes as it is: a local protocol may refuse a request with a ``ProtocolError``.

:func:`describe` names a value for an error message without calling anything the value defines
(no ``__repr__``, ``__str__`` or ``__format__`` of a foreign class), so a value whose
representation raises, loops or is a gigabyte long cannot stop an error from being reported.
"""

from __future__ import annotations

import builtins
import datetime as dt
import math
from collections.abc import Callable
from typing import Final, TypeVar

from bisphos import errors
from bisphos.errors import BisphosError, PatientInputError, PluginError

__all__ = ["contained", "describe", "library_error"]

_T = TypeVar("_T")

#: The longest text :func:`describe` shows of a value.
_SHOWN: Final = 80

#: The library's own error classes, by exact type.
_LIBRARY_ERRORS: Final = frozenset(
    value
    for value in vars(errors).values()
    if isinstance(value, type) and issubclass(value, BisphosError)
)

_PLAIN_VALUE: Final = (type(None), str, int, float, bool)

#: The exception classes of Python itself, whose message can be read without running plugin code.
_BUILTIN_ERRORS: Final = frozenset(
    value
    for value in vars(builtins).values()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def _type_name(value: object) -> str:
    # ``type.__name__`` read from ``type`` itself: a metaclass cannot change what it returns.
    name: str = type.__dict__["__name__"].__get__(type(value), type)
    return name


def describe(value: object) -> str:
    """Return a short text naming ``value``, calling none of its own methods.

    Plain values (``None``, text, numbers, flags, plain dates) are shown; anything else is named
    by its type only.
    """
    if type(value) is float and not math.isfinite(value):
        return str(value)
    if type(value) is int and abs(value) > 10**_SHOWN:
        return "a very large integer"
    if type(value) in _PLAIN_VALUE:
        text = repr(value)
        return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
    if type(value) is dt.date:
        return value.isoformat()
    return f"a {_type_name(value)} object"


def library_error(error: BaseException) -> bool:
    """Whether ``error`` is one of the library's own errors with plain field values."""
    if type(error) not in _LIBRARY_ERRORS:
        return False
    if isinstance(error, PatientInputError):
        return all(library_error(problem) for problem in error.problems)
    state = vars(error)
    return (
        type(state.get("message")) is str
        and type(state.get("field")) is str
        and type(state.get("expected")) is str
        and type(state.get("value")) in _PLAIN_VALUE
    )


def _explain(error: BaseException) -> str:
    """The error's type, and its message when Python's own class carries plain text."""
    name = _type_name(error)
    if type(error) in _BUILTIN_ERRORS:
        args = error.args
        if type(args) is tuple and len(args) == 1 and type(args[0]) is str:
            return f"{name}: {args[0][:_SHOWN]}"
    return name


def contained(where: str, call: Callable[[], _T]) -> _T:
    """Return ``call()``; anything it raises that is not a plain library error is a PluginError.

    Args:
        where: The hook or the protocol method the call is, named in the error's ``field``.
        call: The call into code the library does not trust.

    Raises:
        PluginError: the call raised anything, ``BaseException`` included, other than one of
            the library's own errors with plain values.
        BisphosError: the call raised one of the library's own errors, as it was.
    """
    try:
        return call()
    except BaseException as error:
        if library_error(error):
            raise
        raise PluginError(
            f"a plugin failed in {where}: {_explain(error)}",
            field=where,
            value=None,
            expected="a plugin that returns a value of the hook's type, or raises a BisphosError",
        ) from None
