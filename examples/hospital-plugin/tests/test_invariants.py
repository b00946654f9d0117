"""bisphos's invariant suite, invariants 1-9 of the rule catalogue, with this plugin loaded."""

from __future__ import annotations

from bisphos.testing.invariants import PluginInvariants

from umc_bisphos.plugin import UmcPlugin
from umc_bisphos.procedures import StaticProcedures


class TestUmcInvariants(PluginInvariants):
    """Both pediatric protocols (national and cyclical) with vial rounding, bedside Schwartz and
    the procedure check (P-ZOL-CAP, P-PAM-CAP, P-GFR, P-CI-*, UMC-*)."""

    plugins = (("umc", UmcPlugin(procedures=StaticProcedures())),)
