"""UMC's local bisphos plugin: an example of how a hospital extends bisphos.

- :mod:`umc_bisphos.vials`: doses rounded down to volumes of the ward's stock solutions;
- :mod:`umc_bisphos.procedures`: a local contraindication, a recent orthopaedic procedure;
- :mod:`umc_bisphos.protocol`: the local cyclical pamidronate protocol;
- :mod:`umc_bisphos.rules`: the local rule ids;
- :mod:`umc_bisphos.plugin`: the hook implementations, and the object the entry point loads.
"""

from __future__ import annotations

__version__ = "2025.1.0"
