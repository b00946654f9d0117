"""Hypothesis profile for the plugin's tests: bisphos's ``bisphos-ci`` (500 examples) by default.

``UMC_HYPOTHESIS_PROFILE=bisphos-dev`` runs fewer examples while editing.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.load_profile(os.environ.get("UMC_HYPOTHESIS_PROFILE", "bisphos-ci"))
