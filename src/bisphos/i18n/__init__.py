"""English and Dutch texts for the renderers, from gettext catalogues maintained with Babel.

Every text the command line shows — labels, findings' messages and actions, words for values —
comes from the catalogues under ``locale/`` in this package, by message id, in both languages
(``docs/translation.md``). A finding's
message id is its ``code`` (with a variant where one code has several wordings), and its
placeholders are filled from the finding's evidence, so a Dutch message names the same values as
the English one. The library's own :attr:`bisphos.findings.Finding.message` stays English and is
unchanged; the catalogue's English reproduces it.

>>> from bisphos.i18n import text
>>> text("drug.zoledronic_acid", "nl")
'zoledroninezuur'
"""

from __future__ import annotations

from bisphos.i18n._catalogue import (
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    MessageCatalogue,
    catalogue,
    check_language,
    has,
    register_catalogue,
    registered_catalogues,
    text,
    translations,
    word,
)
from bisphos.i18n._findings import LocalizedFinding, evidence_text, localize, message_id_of
from bisphos.i18n._values import Language, display_unit, show, show_number, slug

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "Language",
    "LocalizedFinding",
    "MessageCatalogue",
    "catalogue",
    "check_language",
    "display_unit",
    "evidence_text",
    "has",
    "localize",
    "message_id_of",
    "register_catalogue",
    "registered_catalogues",
    "show",
    "show_number",
    "slug",
    "text",
    "translations",
    "word",
]
