"""The CDS Hooks 2.0 service as an ASGI application (Starlette).

Endpoints (every one needs the EHR's bearer token, :mod:`bisphos.service.auth`):

- ``GET /cds-services``: the discovery document (:data:`SERVICES`);
- ``POST /cds-services/{id}``: a hook call, answered with cards (:mod:`bisphos.service.cards`);
- ``POST /cds-services/{id}/feedback``: what the clinician did with the cards, stored
  (:mod:`bisphos.service.store`).

The engine is built once, when the app is made; a hook call costs one order check and one plan.
Requests are bounded: a body over ``max_body_bytes`` gets 413, more than ``max_in_flight``
requests at once get 503 at once (load shedding, with ``Retry-After``), a request not answered
within ``request_timeout_seconds`` gets 503. Refusals are JSON naming the problem; a request
without a valid token gets 401 and ``{"error": "unauthorized"}``. Logs name the service, the
status, the time taken and the cards' indicators, never a patient's data. CORS is off unless
origins are configured.

:func:`create_app` returns the app for any ASGI server; ``bisphos serve`` runs it with uvicorn.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import asynccontextmanager
from typing import Any, Final

import anyio
import anyio.to_thread
import attrs
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bisphos.engine import Engine, default_engine
from bisphos.errors import BisphosError, PatientInputError
from bisphos.fhir import patient_from_bundle
from bisphos.model import Patient
from bisphos.pediatric.plan import PlanRequest
from bisphos.pediatric.rules import PROTOCOL_ID as PEDIATRIC_ID
from bisphos.service.auth import Client, TokenVerifier
from bisphos.service.cards import OrderView, decision_of, order_card, plan_cards, source_of
from bisphos.service.config import ServiceConfig
from bisphos.service.errors import (
    AuthenticationError,
    BadRequestError,
    OverloadedError,
    PayloadTooLargeError,
    ServiceError,
    UnknownServiceError,
)
from bisphos.service.sources import (
    OrderChecker,
    PatientReader,
    draft_orders,
    prefetch_bundle,
    prefetch_templates,
)
from bisphos.service.store import Decision, FeedbackEntry, Store
from bisphos.service.writer import Writer

__all__ = ["SERVICES", "HookService", "create_app"]

_LOG: Final = logging.getLogger("bisphos.service")


@attrs.frozen
class HookService:
    """One CDS service of the discovery document.

    Attributes:
        id: The service id (the endpoint ``/cds-services/{id}``).
        hook: The hook it answers.
        title: Its title.
        description: What it does.
        orders: Whether it checks draft orders (``order-select``, ``order-sign``).
        overview: Whether its cards include the next planned infusion (``patient-view``).
    """

    id: str
    hook: str
    title: str
    description: str
    orders: bool
    overview: bool = False

    def discovery(self, templates: Mapping[str, str]) -> dict[str, Any]:
        """The service's entry in the discovery document."""
        return {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "prefetch": dict(templates),
        }


#: The services: the two order hooks for zoledronic acid and pamidronate, and patient-view.
SERVICES: Final = (
    HookService(
        "bisphos-order-sign",
        "order-sign",
        "Intravenous bisphosphonate order check",
        "Checks a signed zoledronic acid or pamidronate order of a child against the national "
        "protocol: dose, hard limits, what blocks an infusion today; suggests the protocol's dose.",
        orders=True,
    ),
    HookService(
        "bisphos-order-select",
        "order-select",
        "Intravenous bisphosphonate order check (while selecting)",
        "Checks a selected zoledronic acid or pamidronate order as the order-sign service does.",
        orders=True,
    ),
    HookService(
        "bisphos-patient-view",
        "patient-view",
        "Intravenous bisphosphonate plan",
        "The next planned infusion of a child under the national protocol, and what blocks it.",
        orders=False,
        overview=True,
    ),
)


def _json(body: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Response(content, status, headers=headers, media_type="application/json")


def _refusal(error: ServiceError) -> Response:
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    elif error.status == 503:
        headers["Retry-After"] = "1"
    return _json(error.to_dict(), error.status, headers)


def _problems(error: BisphosError) -> list[dict[str, str]]:
    problems = error.problems if isinstance(error, PatientInputError) else (error,)
    listed = []
    for problem in problems:
        item = {"field": problem.field, "error": problem.message}
        if problem.expected:
            item["expected"] = problem.expected
        listed.append(item)
    return listed


def _string(mapping: Mapping[str, Any], key: str, where: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequestError("missing or not a string", field=f"{where}{key}", expected="a string")
    return value


class _Service:
    """The state of a running service: engine, verifier, store, limits."""

    def __init__(
        self,
        config: ServiceConfig,
        engine: Engine,
        reader: PatientReader,
        checker: OrderChecker,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.engine = engine
        self.reader = reader
        self.checker = checker
        self.verifier = TokenVerifier(config, clock)
        self.store = Store(config.database)
        self.writer = Writer(self.store, max_pending=config.max_pending_writes)
        self.templates = prefetch_templates()
        self.services = {service.id: service for service in SERVICES}
        self.in_flight = 0
        # One decision at a time: it is CPU work under the interpreter's one lock, and two at
        # once would only take turns, each finishing later.
        self.limiter = anyio.CapacityLimiter(1)
        self.source = source_of(engine.protocol(PEDIATRIC_ID).info)

    # -- request handling ------------------------------------------------------------------

    async def handle(
        self, request: Request, work: Callable[[Client, bytes], object], name: str
    ) -> Response:
        started = time.perf_counter()
        config = self.config
        if self.in_flight >= config.max_in_flight:
            _LOG.warning("%s: 503 shed (%d in flight)", name, self.in_flight)
            return _refusal(OverloadedError("too many requests at once; try again"))
        self.in_flight += 1
        try:
            url = config.base_url + request.url.path
            try:
                client = self.verifier.verify(
                    request.headers.get("authorization"), (config.base_url, url)
                )
            except AuthenticationError as error:
                _LOG.warning("%s: 401 (%s)", name, error.message)
                return _refusal(error)
            deadline = started + config.request_timeout_seconds

            def timed(client: Client, body: bytes) -> object:
                # A request that waited its whole time for a worker is not worked on at all.
                if time.perf_counter() > deadline:
                    raise OverloadedError("the request waited too long; try again")
                return work(client, body)

            try:
                with anyio.fail_after(config.request_timeout_seconds):
                    body = await self._body(request)
                    result = await anyio.to_thread.run_sync(
                        timed, client, body, limiter=self.limiter, abandon_on_cancel=True
                    )
                    if isinstance(result, Future):  # work of the writer's thread: its result
                        result = await anyio.to_thread.run_sync(
                            result.result, abandon_on_cancel=True
                        )
            except TimeoutError:
                _LOG.warning("%s: 503 timed out", name)
                return _refusal(OverloadedError("the request took too long; try again"))
            except ServiceError as error:
                _LOG.info("%s: %d %s (%s)", name, error.status, error.message, error.field)
                return _refusal(error)
            except BisphosError as error:
                _LOG.info("%s: 400 the FHIR data could not be read", name)
                body_ = {"error": "the FHIR data could not be read", "problems": _problems(error)}
                return _json(body_, 400)
            except Exception as error:  # a defect answers 500 naming nothing, never a traceback
                _LOG.error("%s: 500 %s", name, type(error).__name__)
                return _json({"error": "internal error"}, 500)
            elapsed = (time.perf_counter() - started) * 1000
            _LOG.info("%s: 200 in %.1f ms", name, elapsed)
            return _json(result)
        finally:
            self.in_flight -= 1

    async def _body(self, request: Request) -> bytes:
        limit = self.config.max_body_bytes
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            raise _too_large(limit)
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        return b"".join(chunks)

    # -- the work, in a worker thread --------------------------------------------------------

    def _service(self, service_id: str) -> Any:
        service = self.services.get(service_id)
        if service is None:
            raise UnknownServiceError(
                "no such service", field="service", expected=", ".join(self.services)
            )
        return service

    def hook(self, service_id: str, client: Client, body: bytes) -> dict[str, Any]:
        """Answer one hook call with cards, stored with the decision record."""
        service: HookService = self._service(service_id)
        request = _object(body)
        hook = _string(request, "hook", "")
        if hook != service.hook:
            raise BadRequestError(
                "this service answers another hook", field="hook", expected=repr(service.hook)
            )
        hook_instance = _string(request, "hookInstance", "")
        context = request.get("context")
        if not isinstance(context, dict):
            raise BadRequestError("missing or not an object", field="context")
        patient_id = _string(context, "patientId", "context.")
        user_id = context.get("userId") if isinstance(context.get("userId"), str) else None
        orders: list[dict[str, Any]] = []
        if service.orders:
            selections = None
            if service.hook == "order-select":
                raw = context.get("selections")
                if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
                    raise BadRequestError(
                        "missing or not a list of strings",
                        field="context.selections",
                        expected='["MedicationRequest/<id>", ...]',
                    )
                selections = raw
            orders = draft_orders(context, selections)
        prefetch = request.get("prefetch")
        bundle = prefetch_bundle(prefetch, self.templates)
        resource = prefetch["patient"] if isinstance(prefetch, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            raise BadRequestError("not a Patient", field="prefetch.patient", expected="a Patient")
        if resource.get("id") != patient_id:
            raise BadRequestError(
                "the prefetched Patient is not the patient of the context",
                field="prefetch.patient.id",
                expected="context.patientId",
            )
        today = self.config.assessment_date or dt.datetime.now(dt.UTC).date()
        patient = self.reader(bundle, today)
        views: list[OrderView] = []
        for order in orders:
            view = self.checker(self.engine, patient, order, today)
            if view is not None:
                views.append(view)
        if service.orders and not views:
            return {"cards": []}
        checked = views[0].plan if views else None
        plan = checked or self.engine.plan(
            patient, PlanRequest(drug=views[0].drug if views else None)
        )
        decision = decision_of(plan)
        cards = [order_card(view, self.source, decision) for view in views]
        cards += plan_cards(plan, self.source, decision, overview=service.overview)
        from bisphos.records import record  # noqa: PLC0415 - after the first plan

        decision_id = str(uuid.uuid4())
        for card in cards:
            card["extension"]["org.bisphos.decision"]["decision_id"] = decision_id
        stored = Decision.of(
            decision_id=decision_id,
            service_id=service.id,
            hook_instance=hook_instance,
            client=(client.iss, client.sub),
            user_id=user_id,
            record=record(plan),
            cards=cards,
        )
        self.writer.save_decision(stored)  # stored off the answer's path, in order
        return {"cards": cards}

    def feedback(self, service_id: str, client: Client, body: bytes) -> Future[dict[str, int]]:
        """Store the feedback on cards of this service, after the decisions queued before it."""
        self._service(service_id)
        request = _object(body)
        raw = request.get("feedback")
        if not isinstance(raw, list) or not raw:
            raise BadRequestError(
                "missing or empty", field="feedback", expected="a list of Feedback objects"
            )
        entries = [_feedback_entry(item, index) for index, item in enumerate(raw)]
        issuer = (client.iss, client.sub)

        def save(store: Store) -> dict[str, int]:
            return {"stored": store.save_feedback(entries, issuer, service=service_id)}

        return self.writer.submit(save)

    def discovery(self, client: Client, body: bytes) -> dict[str, Any]:
        """The discovery document."""
        return {"services": [service.discovery(self.templates) for service in SERVICES]}


def _too_large(limit: int) -> ServiceError:
    return PayloadTooLargeError(
        "the request body is too large", field="body", expected=f"at most {limit} bytes"
    )


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequestError(
            f"not JSON: {error}", field="body", expected="a JSON object"
        ) from None
    if not isinstance(data, dict):
        raise BadRequestError("not an object", field="body", expected="a JSON object")
    return data


def _feedback_entry(item: object, index: int) -> FeedbackEntry:
    where = f"feedback[{index}]."
    if not isinstance(item, dict):
        raise BadRequestError("not an object", field=f"feedback[{index}]")
    card = _string(item, "card", where)
    outcome = _string(item, "outcome", where)
    if outcome not in ("accepted", "overridden"):
        raise BadRequestError(
            "not an outcome", field=f"{where}outcome", expected="accepted or overridden"
        )
    timestamp = _string(item, "outcomeTimestamp", where)
    try:
        dt.datetime.fromisoformat(timestamp)
    except ValueError:
        raise BadRequestError(
            "not a time", field=f"{where}outcomeTimestamp", expected="an ISO 8601 instant"
        ) from None
    accepted: list[str] = []
    for position, suggestion in enumerate(item.get("acceptedSuggestions") or []):
        if not isinstance(suggestion, dict):
            raise BadRequestError(
                "not an object", field=f"{where}acceptedSuggestions[{position}]", expected='{"id"}'
            )
        accepted.append(_string(suggestion, "id", f"{where}acceptedSuggestions[{position}]."))
    if outcome == "accepted" and "overrideReason" in item:
        raise BadRequestError(
            "an accepted card has no override reason", field=f"{where}overrideReason"
        )
    reason: dict[str, str] | None = None
    comment = None
    override = item.get("overrideReason")
    if outcome == "overridden" and override is not None:
        if not isinstance(override, dict):
            raise BadRequestError("not an object", field=f"{where}overrideReason")
        coding = override.get("reason")
        if coding is not None:
            if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
                raise BadRequestError(
                    "not a Coding with a code", field=f"{where}overrideReason.reason"
                )
            reason = {k: str(coding[k]) for k in ("system", "code", "display") if k in coding}
        user_comment = override.get("userComment")
        if user_comment is not None and not isinstance(user_comment, str):
            raise BadRequestError("not a string", field=f"{where}overrideReason.userComment")
        comment = user_comment
    if outcome == "overridden" and accepted:
        raise BadRequestError(
            "an overridden card has no accepted suggestion", field=f"{where}acceptedSuggestions"
        )
    return FeedbackEntry(
        card=card,
        outcome=outcome,
        outcome_timestamp=timestamp,
        accepted_suggestions=tuple(accepted),
        override_reason=reason,
        user_comment=comment,
    )


def _default_reader(bundle: Mapping[str, Any], on: dt.date) -> Patient:
    return patient_from_bundle(bundle, assessment_date=on)


def _default_checker(engine: Engine, patient: Any, order: Mapping[str, Any], on: dt.date) -> Any:
    from bisphos.service.orders import check  # noqa: PLC0415

    return check(engine, patient, order, on)


def create_app(
    config: ServiceConfig,
    *,
    engine: Engine | None = None,
    reader: PatientReader | None = None,
    checker: OrderChecker | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """Build the ASGI app of the service.

    Args:
        config: The configuration (:func:`bisphos.service.config.load_config`).
        engine: The engine; default :func:`bisphos.engine.default_engine`, built now.
        reader: Reads a patient from the prefetch Bundle; default the FHIR reader.
        checker: Checks one draft order; default :func:`bisphos.check_order`.
        clock: Seconds since the epoch, for token times.

    Raises:
        InvalidValueError: the database or a key of the configuration cannot be used.
    """
    state = _Service(
        config,
        engine or default_engine(),
        reader or _default_reader,
        checker or _default_checker,
        clock,
    )

    async def discovery(request: Request) -> Response:
        return await state.handle(request, state.discovery, "discovery")

    async def hook(request: Request) -> Response:
        service_id = request.path_params["service_id"]

        def work(client: Client, body: bytes) -> object:
            return state.hook(service_id, client, body)

        return await state.handle(request, work, service_id)

    async def feedback(request: Request) -> Response:
        service_id = request.path_params["service_id"]

        def work(client: Client, body: bytes) -> object:
            return state.feedback(service_id, client, body)

        return await state.handle(request, work, f"{service_id}/feedback")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        state.writer.close(timeout=60)  # every decision queued is stored before the database closes
        state.store.close()

    middleware: Sequence[Middleware] = ()
    if config.cors_origins:
        middleware = (
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            ),
        )
    app = Starlette(
        routes=[
            Route("/cds-services", discovery, methods=["GET"]),
            Route("/cds-services/{service_id}", hook, methods=["POST"]),
            Route("/cds-services/{service_id}/feedback", feedback, methods=["POST"]),
        ],
        middleware=list(middleware),
        lifespan=lifespan,
    )
    app.state.service = state
    return app
