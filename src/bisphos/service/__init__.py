"""A CDS Hooks 2.0 service on the bisphos engine: order-select, order-sign and patient-view.

An EHR calls it when a clinician selects or signs a zoledronic acid or pamidronate order (or opens
a child's record); it answers with cards from the order check and the plan, each with its rule ids,
and stores every card with its decision record and the clinician's feedback (accepted, or
overridden with a reason) in SQLite. Requests are authenticated with the EHR's signed JWT.

Needs the ``service`` extra (``pip install 'bisphos[service]'``): Starlette, uvicorn, PyJWT.

Example:
    ``bisphos serve --config examples/service/service.toml``, or from Python, for any ASGI server::

        from bisphos.service import create_app, load_config
        app = create_app(load_config("examples/service/service.toml"))
"""

from __future__ import annotations

from bisphos.service.app import SERVICES, HookService, create_app
from bisphos.service.config import Issuer, ServiceConfig, load_config
from bisphos.service.sources import prefetch_of_bundle, prefetch_templates
from bisphos.service.store import SCHEMA_VERSION, Store

__all__ = [
    "SCHEMA_VERSION",
    "SERVICES",
    "HookService",
    "Issuer",
    "ServiceConfig",
    "Store",
    "create_app",
    "load_config",
    "prefetch_of_bundle",
    "prefetch_templates",
]
