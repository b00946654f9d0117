"""Signed decision records: every edit of a signed record is detected with the public key.

An unsigned record's digests can be recomputed by whoever edits it; a record signed with Ed25519
(:mod:`bisphos.records.signing`) verifies only as the exact bytes bisphos wrote. Each kind of
edit has a test (a value, the key order, a duplicate key, spacing, digests recomputed, a whole
record recomputed for another patient, the signature moved, removed or made with another key),
and a property test edits any one character.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bisphos import cli
from bisphos.engine import Engine
from bisphos.errors import BisphosError, InvalidValueError
from bisphos.io import load_patient, patient_to_dict
from bisphos.provenance import input_digest, sha256_hex
from bisphos.records import record_json, replay
from bisphos.records.signing import (
    SIGNATURE,
    SIGNING_KEY_ENV,
    VERIFY_KEY_ENV,
    generate_keys,
    load_private_key,
    load_public_key,
    sign_record,
    verify_record,
)
from bisphos.units import quantity
from tests._profiles import examples

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "patients" / "oi-girl-20kg.json"
ENGINE = Engine.create(entry_points=False)


@cache
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


@cache
def unsigned() -> str:
    return record_json(ENGINE.plan(load_patient(EXAMPLE)))


@cache
def signed() -> str:
    return sign_record(unsigned(), private_key())


def check(text: str) -> str:
    """The signature status of ``text``, or ``"refused"`` when it is not a readable record."""
    try:
        return verify_record(text, public_key()).status
    except BisphosError:
        return "refused"


def test_a_signed_record_verifies_and_replays_byte_for_byte() -> None:
    data = json.loads(signed())
    assert list(data)[-1] == SIGNATURE
    assert data[SIGNATURE]["algorithm"] == "Ed25519"
    assert check(signed()) == "valid"
    report = replay(signed(), engine=ENGINE, verify_key=public_key())
    assert report.identical
    assert report.signature.valid
    assert report.explain().splitlines()[-1].startswith("Signature: valid: signed by")


def test_an_unsigned_record_is_reported_as_unsigned() -> None:
    assert check(unsigned()) == "unsigned"
    report = replay(unsigned(), engine=ENGINE)
    assert report.signature.status == "unsigned"
    assert "not that it is unedited" in report.signature.detail


def test_a_signed_record_without_a_key_is_not_verified() -> None:
    assert verify_record(signed(), None).status == "not verified"


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _recompute_digests(data: dict[str, object]) -> dict[str, object]:
    provenance = data["provenance"]
    stored = data["input"]
    assert isinstance(provenance, dict)
    assert isinstance(stored, dict)
    provenance["patient_sha256"] = sha256_hex(stored["patient"])
    provenance["input_sha256"] = input_digest(stored["patient"], stored["request"])
    return data


def _compact(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False) + "\n"


def _other_patient_signed_as_the_first() -> str:
    """A whole record computed for another weight, self-consistent, with the first signature."""
    patient = attrs.evolve(load_patient(EXAMPLE), weight=quantity(24.0, "kg"))
    other = json.loads(record_json(ENGINE.plan(patient)))
    other[SIGNATURE] = json.loads(signed())[SIGNATURE]
    return json.dumps(other, indent=2, ensure_ascii=False) + "\n"


def _digests_recomputed() -> str:
    data = json.loads(signed())
    data["input"]["patient"]["weight"] = "24.0 kg"
    return json.dumps(_recompute_digests(data), indent=2, ensure_ascii=False) + "\n"


def _keys_reordered() -> str:
    data = json.loads(signed())
    data["result"] = dict(reversed(list(data["result"].items())))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _signature_moved_first() -> str:
    data = json.loads(signed())
    return json.dumps({SIGNATURE: data.pop(SIGNATURE), **data}, indent=2, ensure_ascii=False) + "\n"


def _signed_by_another_key() -> str:
    return sign_record(unsigned(), Ed25519PrivateKey.from_private_bytes(bytes(32)))


def _signature_removed() -> str:
    data = json.loads(signed())
    del data[SIGNATURE]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


EDITS: dict[str, Callable[[], str]] = {
    "a value (the dose)": lambda: _edit(signed(), '"0.25 mg"', '"0.3 mg"'),
    "a value (the status)": lambda: _edit(signed(), '"status": "ready"', '"status": "blocked"'),
    "the key order": _keys_reordered,
    "a duplicate key": lambda: _edit(
        signed(), '"dose": "0.25 mg",', '"dose": "40 mg", "dose": "0.25 mg",'
    ),
    "spacing": lambda: _edit(signed(), '"format": ', '"format":  '),
    "an escaped character": lambda: _edit(signed(), '"format": "b', '"format": "\\u0062'),
    "the digests recomputed": _digests_recomputed,
    "a whole record recomputed for another patient": _other_patient_signed_as_the_first,
    "the signature moved first": _signature_moved_first,
    "a signature of another key": _signed_by_another_key,
    "the same content written compactly": lambda: _compact(signed()),
    "non-ASCII written as escapes": lambda: json.dumps(json.loads(signed()), indent=2) + "\n",
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_every_edit_of_a_signed_record_is_detected(name: str) -> None:
    edited = EDITS[name]()
    assert edited != signed()
    assert check(edited) in ("invalid", "refused"), name


def test_a_removed_signature_is_unsigned_and_fails_replay_with_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private, public = tmp_path / "key.pem", tmp_path / "key.pub.pem"
    generate_keys(private, public)
    path = tmp_path / "record.json"
    path.write_text(_signature_removed(), encoding="utf-8")
    code = cli.main(["replay", str(path), "--verify-key", str(public)], engine=ENGINE)
    out = capsys.readouterr().out
    assert code == cli.EXIT_NOT_CLEARED
    assert out.splitlines()[-1].startswith("Signature: unsigned")


@settings(max_examples=examples(0.2))  # each example verifies two 23 kB records (~20 ms)
@given(index=st.integers(min_value=0), character=st.characters(codec="utf-8"))
def test_any_one_character_edit_is_detected(index: int, character: str) -> None:
    """Tamper evidence: a signed record with any one character replaced or inserted is never
    valid (the signature's own fields included); it is refused as a record or its signature is
    invalid."""
    text = signed()
    position = index % len(text)
    for edited in (
        text[:position] + character + text[position + 1 :],
        text[:position] + character + text[position:],
    ):
        if edited != text:
            assert check(edited) in ("invalid", "refused", "unsigned")
            assert check(edited) != "valid"


def test_the_command_line_signs_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    private, public = tmp_path / "key.pem", tmp_path / "key.pub.pem"
    assert cli.main(["keygen", str(private), str(public)], engine=ENGINE) == cli.EXIT_OK
    assert "public key SHA-256" in capsys.readouterr().out
    assert private.stat().st_mode & 0o077 == 0
    assert isinstance(load_private_key(private), Ed25519PrivateKey)
    assert isinstance(load_public_key(public), Ed25519PublicKey)
    args = ["plan", str(EXAMPLE), "--format", "record", "--sign-key", str(private)]
    assert cli.main(args, engine=ENGINE) == cli.EXIT_OK
    path = tmp_path / "record.json"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert cli.main(["replay", str(path), "--verify-key", str(public)], engine=ENGINE) == 0
    assert "Signature: valid" in capsys.readouterr().out
    # The environment names the keys as well.
    monkeypatch.setenv(SIGNING_KEY_ENV, str(private))
    monkeypatch.setenv(VERIFY_KEY_ENV, str(public))
    assert cli.main(["plan", str(EXAMPLE), "--format", "record"], engine=ENGINE) == 0
    path.write_text(capsys.readouterr().out.replace('"0.25 mg"', '"0.3 mg"', 1), "utf-8")
    assert cli.main(["replay", str(path)], engine=ENGINE) == cli.EXIT_NOT_CLEARED
    assert "Signature: invalid" in capsys.readouterr().out
    # keygen never overwrites a key.
    assert cli.main(["keygen", str(private), str(tmp_path / "x")], engine=ENGINE) == 2
    assert "cannot create the key file" in capsys.readouterr().err


def test_a_file_that_is_no_key_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("not a key", encoding="utf-8")
    with pytest.raises(InvalidValueError, match="not an Ed25519 private key"):
        load_private_key(path)
    with pytest.raises(InvalidValueError, match="not an Ed25519 public key"):
        load_public_key(path)
    with pytest.raises(InvalidValueError, match="not a regular file"):
        load_public_key(tmp_path)


def test_a_record_with_recomputed_digests_replays_unsigned_but_not_verified() -> None:
    """What an unsigned record proves: its digests are consistent with its input, nothing more.
    The same edit of a signed record fails verification."""
    data = json.loads(unsigned())
    patient = patient_to_dict(attrs.evolve(load_patient(EXAMPLE), patient_id="someone-else"))
    data["input"]["patient"] = patient
    data["result"]["patient_id"] = "someone-else"
    text = json.dumps(_recompute_digests(data), indent=2, ensure_ascii=False) + "\n"
    report = replay(text, engine=ENGINE)
    assert report.identical  # an edit no digest can reveal
    assert report.signature.status == "unsigned"
    resigned_elsewhere = json.loads(text)
    resigned_elsewhere[SIGNATURE] = json.loads(signed())[SIGNATURE]
    edited = json.dumps(resigned_elsewhere, indent=2, ensure_ascii=False) + "\n"
    assert check(edited) == "invalid"
