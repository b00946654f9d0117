"""The message catalogue: every text the renderers show, by message id, in English and Dutch.

The catalogue is ``messages.toml`` beside this module: one table per message id with an ``en``
and an ``nl`` text. Ids of findings are their codes (``fever``), ``<code>.action`` for the
action, and ``<code>:<variant>`` where one code has more than one wording; the renderers' labels
are ``ui.<name>``; words for values are ``<domain>.<key>`` (``drug.zoledronic_acid``).

Texts hold ``{placeholder}`` fields filled from a finding's evidence; a field may carry a spec:
``{gfr:.1f}`` (the number alone), ``{dose:raw}``, ``{sites:w:site}`` (each item translated as a
word of the domain ``site``), ``{genes:and}`` (joined with "and"), ``{missing:w:field:and}``.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Final

from bisphos.errors import InvalidValueError
from bisphos.i18n._values import Language, show, slug

__all__ = ["LANGUAGES", "catalogue", "check_language", "has", "text", "word"]

#: The languages every message exists in.
LANGUAGES: Final[tuple[Language, ...]] = ("en", "nl")


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Return the catalogue: message id to ``{"en": ..., "nl": ...}``, read once."""
    raw = files("bisphos.i18n").joinpath("messages.toml").read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    return MappingProxyType({key: MappingProxyType(value) for key, value in data.items()})


def check_language(lang: str) -> Language:
    """Return ``lang`` as a :data:`Language`.

    Raises:
        InvalidValueError: the catalogue has no such language.
    """
    for known in LANGUAGES:
        if lang == known:
            return known
    raise InvalidValueError(
        "no messages in this language", field="lang", value=lang, expected=" or ".join(LANGUAGES)
    )


def has(message_id: str) -> bool:
    """Return whether the catalogue holds ``message_id``."""
    return message_id in catalogue()


def word(domain: str, value: object, lang: Language) -> str:
    """Return the word for ``value`` in ``domain`` (``drug``, ``site`` ...), else ``value`` itself.

    ``word("drug", "zoledronic_acid", "nl")`` is ``"zoledroninezuur"``.
    """
    entry = catalogue().get(f"{domain}.{slug(str(value))}")
    return str(value) if entry is None else entry[lang]


class _Formatter(string.Formatter):
    """Fills placeholders with values written for ``lang``; ``w:`` specs translate words."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs[str(key)]

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("w:"):
            _, domain, *rest = format_spec.split(":")
            items = value if isinstance(value, list | tuple) else [value]
            words = [word(domain, item, self.lang) for item in items]
            return show(words, self.lang, "and" if rest == ["and"] else "")
        return show(value, self.lang, format_spec)


def text(message_id: str, lang: Language, /, **values: object) -> str:
    """Return message ``message_id`` in ``lang`` with its placeholders filled from ``values``.

    Raises:
        KeyError: the catalogue has no such message, or a placeholder has no value.
    """
    template = catalogue()[message_id][lang]
    return _Formatter(lang).vformat(template, (), values)
