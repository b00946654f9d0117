"""The service's errors: each is a :class:`~bisphos.errors.BisphosError` with its HTTP status.

A request the service cannot answer gets a JSON body naming the problem (``error``, ``field``,
``expected``), except an unauthenticated one, which gets 401 and nothing else.
"""

from __future__ import annotations

from typing import ClassVar

from bisphos.errors import BisphosError

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "OverloadedError",
    "PayloadTooLargeError",
    "PrefetchMissingError",
    "ServiceError",
    "UnknownServiceError",
]


class ServiceError(BisphosError):
    """A request the CDS Hooks service refuses; :attr:`status` is its HTTP status."""

    status: ClassVar[int] = 500

    def to_dict(self) -> dict[str, object]:
        """The JSON body of the refusal: what is wrong, where, and what was expected."""
        body: dict[str, object] = {"error": self.message}
        if self.field:
            body["field"] = self.field
        if self.expected:
            body["expected"] = self.expected
        return body


class BadRequestError(ServiceError, ValueError):
    """The body is not a CDS Hooks request of this service (400)."""

    status: ClassVar[int] = 400


class PayloadTooLargeError(BadRequestError):
    """The request body is larger than the service accepts (413)."""

    status: ClassVar[int] = 413


class PrefetchMissingError(ServiceError, LookupError):
    """The request lacks the FHIR data the decision needs and the service fetches none (412).

    Attributes:
        missing: The prefetch keys that are absent.
        templates: The prefetch templates of the service, so that the client can send them.
    """

    status: ClassVar[int] = 412

    def __init__(self, missing: tuple[str, ...], templates: dict[str, str]) -> None:
        super().__init__(
            "the request carries no FHIR data for these prefetch keys, and this service fetches "
            "none from a FHIR server",
            field="prefetch",
            value=list(missing),
            expected="every prefetch key of the service's discovery entry",
        )
        self.missing = missing
        self.templates = templates

    def to_dict(self) -> dict[str, object]:
        """The refusal with the missing keys and the templates that fill them."""
        body = super().to_dict()
        body["missing"] = list(self.missing)
        body["prefetch"] = dict(self.templates)
        return body


class UnknownServiceError(ServiceError, LookupError):
    """No service has this id (404)."""

    status: ClassVar[int] = 404


class AuthenticationError(ServiceError, PermissionError):
    """The bearer token is missing or not valid (401); the client is told nothing more."""

    status: ClassVar[int] = 401

    def to_dict(self) -> dict[str, object]:
        """Nothing of why: the reason stays in the service."""
        return {"error": "unauthorized"}


class OverloadedError(ServiceError):
    """The service is at its concurrency limit or past its time limit (503)."""

    status: ClassVar[int] = 503
