"""The build hook of bisphos: the message catalogues compiled into the wheel.

Every ``.po`` catalogue under ``src/bisphos/i18n/locale`` is compiled with Babel to the ``.mo``
beside it, for a wheel and for an editable install alike; the ``.mo`` files are not kept in git
and enter the wheel as build artifacts. A catalogue with an error stops the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src", "bisphos", "i18n", "locale")


def compile_catalogues(root: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/<domain>.po`` under ``root`` to its ``.mo``."""
    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name, abort_invalid=True)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo)
    return written


class CatalogueHook(BuildHookInterface):
    """Compiles the message catalogues before the wheel (or the editable wheel) is built."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile, and name the compiled catalogues as artifacts of the build."""
        compile_catalogues(Path(self.root) / LOCALE)
        build_data["artifacts"].append(f"/{LOCALE.as_posix()}/*/LC_MESSAGES/*.mo")
