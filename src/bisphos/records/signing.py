"""Signed decision records: an Ed25519 signature over the record's exact bytes.

A record's digests (``patient_sha256``, ``input_sha256``) need no secret: whoever edits a record
can recompute them, so they show that a record is consistent, not that it is unedited. A
signature does: :func:`sign_record` adds a last member ``"signature"`` to a record,

.. code-block:: json

    "signature": {"algorithm": "Ed25519", "public_key_sha256": "…", "value": "…"}

where ``value`` is the base64 Ed25519 signature of the UTF-8 bytes of the record as
:func:`bisphos.records.to_json` writes it with the signature member but without its ``value``
(so the algorithm and the key's fingerprint are signed too). :func:`verify_record` accepts a
record only when its text is, byte for byte, the text bisphos writes for its content (so another
key order, other whitespace, a duplicate key or an escaped character is an edit) and the
signature verifies with the public key given. Any edit, including one that recomputes the
digests, is then detected by whoever holds the public key.

Keys are PEM files: a PKCS #8 private key to sign and its SubjectPublicKeyInfo public key to
verify. :func:`generate_keys` writes a pair (``bisphos keygen``), as does OpenSSL::

    openssl genpkey -algorithm ed25519 -out record-signing.pem
    openssl pkey -in record-signing.pem -pubout -out record-signing.pub.pem

The ``cryptography`` package is needed only to sign and verify (``pip install bisphos[sign]``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from bisphos.errors import InvalidValueError
from bisphos.i18n import Language, text
from bisphos.records.plan import load_record, to_json
from bisphos.validation import printable, read_bounded

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "ALGORITHM",
    "SIGNATURE",
    "SIGNING_KEY_ENV",
    "VERIFY_KEY_ENV",
    "SignatureCheck",
    "generate_keys",
    "key_path",
    "load_private_key",
    "load_public_key",
    "sign_record",
    "unsigned_part",
    "verify_record",
]

#: The member of a record that holds its signature; always the last one.
SIGNATURE: Final = "signature"
#: The signature algorithm.
ALGORITHM: Final = "Ed25519"
#: Environment variable naming the private key file that ``plan --format record`` signs with.
SIGNING_KEY_ENV: Final = "BISPHOS_SIGNING_KEY"
#: Environment variable naming the public key file that ``replay`` verifies with.
VERIFY_KEY_ENV: Final = "BISPHOS_VERIFY_KEY"
_KEY_FILE_LIMIT: Final = 16 * 1024


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover - the tests install it
        raise InvalidValueError(
            "signing needs the cryptography package",
            field="signature",
            expected="pip install 'bisphos[sign]'",
        ) from None
    return serialization


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file (PKCS #8, unencrypted).

    Raises:
        InvalidValueError: the file cannot be read or is not an Ed25519 private key.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
        Ed25519PrivateKey,
    )

    serialization = _crypto()
    data = read_bounded(path, limit=_KEY_FILE_LIMIT, field=printable(os.fspath(path)))
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise _not_a_key(path, "private", error) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise _not_a_key(path, "private", TypeError(type(key).__name__))
    return key


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file (or the public half of a private key file).

    Raises:
        InvalidValueError: the file cannot be read or holds no Ed25519 key.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    serialization = _crypto()
    data = read_bounded(path, limit=_KEY_FILE_LIMIT, field=printable(os.fspath(path)))
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as error:
            raise _not_a_key(path, "public", error) from None
        key = private.public_key() if isinstance(private, Ed25519PrivateKey) else private
    if not isinstance(key, Ed25519PublicKey):
        raise _not_a_key(path, "public", TypeError(type(key).__name__))
    return key


def _not_a_key(path: str | os.PathLike[str], kind: str, error: Exception) -> InvalidValueError:
    return InvalidValueError(
        f"not an Ed25519 {kind} key in PEM ({type(error).__name__})",
        field=printable(os.fspath(path)),
        expected=f"an Ed25519 {kind} key file, e.g. from 'bisphos keygen'",
    )


def _fingerprint(key: Ed25519PublicKey) -> str:
    serialization = _crypto()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def unsigned_part(data: Mapping[str, object]) -> dict[str, object]:
    """Return the record without its signature member."""
    return {key: value for key, value in data.items() if key != SIGNATURE}


def sign_record(text: str, key: Ed25519PrivateKey) -> str:
    """Return the record ``text`` with its Ed25519 signature as the last member.

    The signature covers the record as :func:`bisphos.records.to_json` writes it; a record that
    is already signed is signed again (the old signature is dropped).

    Raises:
        InvalidValueError: ``text`` is not a decision record.
    """
    data = unsigned_part(load_record(text))
    header = {"algorithm": ALGORITHM, "public_key_sha256": _fingerprint(key.public_key())}
    value = base64.b64encode(key.sign(_signed_bytes(data, header))).decode("ascii")
    return to_json({**data, SIGNATURE: {**header, "value": value}})


def _signed_bytes(data: Mapping[str, object], header: Mapping[str, object]) -> bytes:
    """What the signature covers: the record with its signature member less the value."""
    return to_json({**unsigned_part(data), SIGNATURE: dict(header)}).encode("utf-8")


@attrs.frozen
class SignatureCheck:
    """What a record's signature shows.

    Attributes:
        status: ``"unsigned"``, ``"not verified"`` (signed, no key given), ``"valid"`` or
            ``"invalid"``.
        reason: Why, as the catalogue's id (``signature.<reason>``).
        params: The values the reason names (the key's fingerprint, the algorithm).
    """

    status: str
    reason: str
    params: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def detail(self) -> str:
        """Why, in English words (the catalogue's)."""
        return text("signature." + self.reason, "en", **self.params)

    def explain(self, lang: Language) -> str:
        """Return the status and why in ``lang``, on one line."""
        status = text("signature.status." + self.status.replace(" ", "-"), lang)
        detail = text("signature." + self.reason, lang, **self.params)
        return text("signature.line", lang, status=status, detail=detail)

    @property
    def valid(self) -> bool:
        """Whether the signature verified with the key given."""
        return self.status == "valid"

    def __str__(self) -> str:
        return self.explain("en")


#: What the signature of a record without one shows.
UNSIGNED: Final = SignatureCheck("unsigned", "unsigned")


def verify_record(text: str, key: Ed25519PublicKey | None) -> SignatureCheck:
    """Check the signature of the record ``text`` with the public ``key`` (``None``: none given).

    Raises:
        InvalidValueError: ``text`` is not a decision record (see
            :func:`bisphos.records.load_record`).
    """
    data = load_record(text)
    signature = data.get(SIGNATURE)
    if signature is None and SIGNATURE not in data:
        return UNSIGNED
    if key is None:
        return SignatureCheck("not verified", "no-key")
    problem = _signature_problem(text, data, signature, key)
    if problem:
        return SignatureCheck("invalid", problem, {"algorithm": ALGORITHM})
    return SignatureCheck("valid", "valid", {"fingerprint": _fingerprint(key)[:16]})


def _signature_problem(
    text: str, data: dict[str, Any], signature: object, key: Ed25519PublicKey
) -> str:
    """Why the signature does not verify (its reason's id), or ``""`` when it does."""
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415 - optional

    if list(data)[-1] != SIGNATURE:
        return "not-last"
    if not isinstance(signature, Mapping) or set(signature) != {
        "algorithm",
        "public_key_sha256",
        "value",
    }:
        return "malformed"
    if signature["algorithm"] != ALGORITHM:
        return "algorithm"
    if to_json(data) != text:
        return "not-canonical"
    header = {name: signature[name] for name in ("algorithm", "public_key_sha256")}
    try:
        value = base64.b64decode(str(signature["value"]), validate=True)
        key.verify(value, _signed_bytes(data, header))
    except (InvalidSignature, binascii.Error, ValueError):
        if signature["public_key_sha256"] != _fingerprint(key):
            return "other-key"
        return "mismatch"
    return ""


def generate_keys(private_path: str | os.PathLike[str], public_path: str | os.PathLike[str]) -> str:
    """Write a new Ed25519 key pair as PEM files; return the public key's SHA-256 fingerprint.

    The private key file is created with mode 0600; neither file may exist already.

    Raises:
        InvalidValueError: a file exists or cannot be written.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
        Ed25519PrivateKey,
    )

    serialization = _crypto()
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for path, content, mode in ((private_path, private, 0o600), (public_path, public, 0o644)):
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except OSError as error:
            raise InvalidValueError(
                f"cannot create the key file: {printable(error.strerror or str(error))}",
                field=printable(os.fspath(path)),
                expected="a path where no file exists",
            ) from None
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    return _fingerprint(key.public_key())


def key_path(option: str | None, env: str) -> Path | None:
    """The key file named by a command-line option, else by the environment variable ``env``."""
    value = option if option is not None else os.environ.get(env, "").strip() or None
    return None if value is None else Path(value)
