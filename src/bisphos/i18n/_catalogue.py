"""The message catalogues: every text the renderers show, by message id, in English and Dutch.

The catalogues are gettext catalogues maintained with Babel, one per language, under
``locale/<lang>/LC_MESSAGES/bisphos.po`` beside this module; the build compiles each to its
``.mo`` (``hatch_build.py``) and the runtime reads the compiled catalogue with
:class:`babel.support.Translations`. A catalogue is keyed by message id, not by English text:
``fever`` is a finding's message, ``fever.action`` its action, ``<code>:<variant>`` one of
several wordings of a code, ``ui.<name>`` a renderer's label, ``<domain>.<key>`` a word for a
value (``drug.zoledronic_acid``). The English catalogue is the source of every message.

Texts hold ``{placeholder}`` fields filled with the values the finding or the renderer gives; a
field may carry a spec: ``{gfr:.1f}`` (the number alone), ``{dose:raw}``, ``{sites:w:site}`` (each
item translated as a word of the domain ``site``), ``{genes:and}`` (a list joined as the language
joins one), ``{missing:w:field:and}``.

A plugin adds its own catalogues (the hook ``bisphos_message_catalogues``, or
:func:`register_catalogue`): they are asked after the library's own, so a plugin words its own
findings and never rewords the library's.
"""

from __future__ import annotations

import functools
import gettext
import io
import string
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bisphos.errors import InvalidValueError, MissingDependencyError
from bisphos.i18n._values import Language, show, slug

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "MessageCatalogue",
    "catalogue",
    "check_language",
    "has",
    "register_catalogue",
    "registered_catalogues",
    "text",
    "translations",
    "word",
]

#: The languages every message exists in.
LANGUAGES: Final[tuple[Language, ...]] = ("en", "nl")
#: The gettext domain of the library's own messages.
DOMAIN: Final = "bisphos"
#: Where the library's catalogues are: ``<lang>/LC_MESSAGES/bisphos.po`` and its ``.mo``.
LOCALE_DIR: Final = Path(__file__).parent / "locale"

_lock = threading.Lock()
#: The plugins' catalogues, by domain: asked after the library's own, in registration order.
_registered: dict[str, Path] = {}


class _Missing(gettext.NullTranslations):
    """The end of every chain: a message no catalogue holds is a ``KeyError``, never its id."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)


def _paths(directory: Path, domain: str, lang: str) -> tuple[Path, Path]:
    mo = directory / lang / "LC_MESSAGES" / f"{domain}.mo"
    return mo, mo.with_suffix(".po")


def _compiled_is_current(mo: Path, po: Path) -> bool:
    """Whether the ``.mo`` exists and no newer ``.po`` beside it was edited since it was built."""
    if not mo.is_file():
        return False
    return not po.is_file() or po.stat().st_mtime <= mo.stat().st_mtime


def compile_po(po: Path, lang: str) -> bytes:
    """Return the ``.mo`` bytes of the catalogue ``po``, as the build hook writes them."""
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, abort_invalid=True)
    target = io.BytesIO()
    write_mo(target, catalog)
    return target.getvalue()


def _mo_bytes(directory: Path, domain: str, lang: str) -> bytes | None:
    """The compiled catalogue: the ``.mo`` when current, else the ``.po`` compiled in memory.

    A source checkout whose ``.po`` was edited after the install compiled it reads the edit;
    a wheel reads its ``.mo``.
    """
    mo, po = _paths(directory, domain, lang)
    if _compiled_is_current(mo, po):
        return mo.read_bytes()
    if po.is_file():
        return compile_po(po, lang)
    return None


@functools.cache
def _own(directory: Path, domain: str, lang: str) -> bytes | None:
    """The compiled catalogue of ``domain`` in ``lang``, read once."""
    return _mo_bytes(directory, domain, lang)


@functools.cache
def _chain(lang: str, plugins: tuple[tuple[str, Path], ...]) -> gettext.NullTranslations:
    """The library's catalogue of ``lang``, then each plugin's, then :class:`_Missing`."""
    own = _own(LOCALE_DIR, DOMAIN, lang)
    if own is None:
        raise MissingDependencyError(
            f"the message catalogue of {lang!r} is not installed", field="lang", value=lang
        )
    chain = Translations(io.BytesIO(own), domain=DOMAIN)
    for domain, directory in plugins:
        theirs = _own(directory, domain, lang)
        if theirs is not None:
            chain.add_fallback(Translations(io.BytesIO(theirs), domain=domain))
    chain.add_fallback(_Missing())
    return chain


@attrs.frozen
class MessageCatalogue:
    """A plugin's gettext catalogues: its own domain and the directory of its locales.

    Attributes:
        domain: The gettext domain, the file name of its catalogues (``umc_bisphos``); never
            ``bisphos``.
        directory: The directory holding ``<lang>/LC_MESSAGES/<domain>.mo`` (or ``.po``).
    """

    domain: str
    directory: Path


def register_catalogue(domain: str, directory: Path) -> None:
    """Add the catalogues of ``domain`` under ``directory`` (``<lang>/LC_MESSAGES/<domain>.mo``).

    A plugin's messages are looked up after the library's: the library's ids keep their words.
    Registering a domain again replaces its directory.

    Raises:
        InvalidValueError: ``domain`` is the library's own, or ``directory`` is not a directory.
    """
    if domain == DOMAIN:
        raise InvalidValueError(
            "a plugin's catalogue needs its own domain", field="domain", value=domain
        )
    if not Path(directory).is_dir():
        raise InvalidValueError(
            "the catalogue directory does not exist",
            field="directory",
            value=str(directory),
            expected="a directory holding <lang>/LC_MESSAGES/<domain>.mo or .po",
        )
    with _lock:
        _registered.pop(domain, None)
        _registered[domain] = Path(directory)


def registered_catalogues() -> tuple[tuple[str, Path], ...]:
    """Return the plugins' catalogues, as ``(domain, directory)`` in the order they are asked."""
    with _lock:
        return tuple(_registered.items())


def translations(lang: Language) -> gettext.NullTranslations:
    """Return the translations of ``lang``: the library's, then the registered plugins'.

    ``gettext`` of an id no catalogue holds raises ``KeyError``.
    """
    return _chain(lang, registered_catalogues())


@functools.cache
def _read_catalogue(directory: Path, domain: str, lang: str) -> Mapping[str, str]:
    data = _own(directory, domain, lang)
    if data is None:
        return MappingProxyType({})
    catalog = read_mo(io.BytesIO(data))
    return MappingProxyType(
        {
            m.id: m.string
            for m in catalog
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
        }
    )


def catalogue(
    domain: str = DOMAIN, directory: Path = LOCALE_DIR
) -> Mapping[str, Mapping[str, str]]:
    """Return a catalogue as message id to ``{"en": ..., "nl": ...}`` (the library's by default).

    An id missing from a language has no entry for it.
    """
    by_language = {lang: _read_catalogue(directory, domain, lang) for lang in LANGUAGES}
    ids = dict.fromkeys(key for texts in by_language.values() for key in texts)
    return MappingProxyType(
        {
            key: MappingProxyType(
                {lang: texts[key] for lang, texts in by_language.items() if key in texts}
            )
            for key in ids
        }
    )


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


def _template(message_id: str, lang: Language) -> str:
    return translations(lang).gettext(message_id)


def has(message_id: str, lang: Language = "en") -> bool:
    """Return whether a catalogue (the library's or a plugin's) holds ``message_id``."""
    try:
        _template(message_id, lang)
    except KeyError:
        return False
    return True


def word(domain: str, value: object, lang: Language) -> str:
    """Return the word for ``value`` in ``domain`` (``drug``, ``site`` ...), else ``value`` itself.

    ``word("drug", "zoledronic_acid", "nl")`` is ``"zoledroninezuur"``.
    """
    try:
        return _template(f"{domain}.{slug(str(value))}", lang)
    except KeyError:
        return str(value)


class _Formatter(string.Formatter):
    """Fills placeholders with values written for ``lang``; ``w:`` specs translate words."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        # A placeholder names a value, never an attribute or an item of one: a catalogue (a
        # plugin's included) reaches nothing but the values it is given.
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return kwargs[field_name], field_name

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
        KeyError: no catalogue holds such a message, or a placeholder has no value.
    """
    return _Formatter(lang).vformat(_template(message_id, lang), (), values)
