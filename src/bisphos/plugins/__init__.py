"""Extending bisphos with local plugins.

A plugin is a module or object with functions marked ``@hookimpl`` whose names are hooks of
:mod:`bisphos.plugins.hookspecs`. It is found through the ``bisphos`` entry-point group::

    # pyproject.toml of the hospital's package
    [project.entry-points.bisphos]
    umc_local = "umc_bisphos.plugin"

    # umc_bisphos/plugin.py
    from bisphos.plugins import hookimpl
    from bisphos.pediatric.adjustments import DoseProposal

    @hookimpl
    def bisphos_adjust_dose(protocol_id, patient, dose):
        ...
        return DoseProposal(plugin="umc_local", dose=..., reason="vial fraction")

Plugins propose; bisphos decides. The hard limits (daily caps, per-kg maxima, the GFR gate, the
contraindications) are applied after every plugin and no plugin can loosen them. Every plan
records the plugins that were loaded and each proposal, accepted or refused. The guide in
``docs/plugins.md`` describes each hook.
"""

from __future__ import annotations

import pluggy

__all__ = ["PROJECT_NAME", "hookimpl"]

#: The name of the hook namespace and of the entry-point group.
PROJECT_NAME = "bisphos"

#: Marks a plugin's hook implementations: ``@hookimpl def bisphos_...``.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
