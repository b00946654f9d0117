"""Test configuration: the Hypothesis settings profiles.

``BISPHOS_HYPOTHESIS_PROFILE`` chooses the profile: ``ci`` (the default; derandomised so a CI run
is reproducible), ``dev`` (fewer examples, for quick local runs) or ``deep`` (20x ``ci``, run on
demand by ``tox -e deep``). Property tests set ``max_examples`` only through these profiles or by
:func:`examples`, so the deep profile scales every one of them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: Examples per property in the ci profile; tests that need more multiply it with examples().
CI_EXAMPLES = 500

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "deep",
    max_examples=20 * CI_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("BISPHOS_HYPOTHESIS_PROFILE", "ci"))
