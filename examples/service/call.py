"""Call the example service as an EHR would: one order-sign call, the cards printed.

Start the service first (``bisphos serve --config examples/service/service.toml``), then run
``python examples/service/call.py [PATIENT] [DOSE_MG]``: PATIENT is an example patient's name
(default ``oi-girl-20kg``), DOSE_MG the zoledronic acid dose ordered (default 0.25). The token is
signed with the TEST-ONLY private key of this folder, which the example configuration trusts.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

import httpx
import jwt

from bisphos.service import prefetch_of_bundle

HERE = Path(__file__).parent
BUNDLES = HERE.parent / "fhir" / "patients"
URL = "http://127.0.0.1:8321"
SIGN = "/cds-services/bisphos-order-sign"


def token(audience: str) -> str:
    """A token as the example EHR signs it (ES384, five minutes, a fresh jti)."""
    key = (HERE / "TEST-ONLY-ehr-private-key.pem").read_text(encoding="utf-8")
    now = int(time.time())
    claims = {
        "iss": "https://ehr.example.org",
        "sub": "example-ehr",
        "aud": audience,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "test-only-ehr-key-1"})


def request(patient: str, dose_mg: float) -> dict[str, object]:
    """The order-sign request: the patient's record as prefetch, the draft order in context."""
    bundle = json.loads((BUNDLES / f"{patient}.bundle.json").read_text(encoding="utf-8"))
    patient_id, prefetch = prefetch_of_bundle(bundle, "https://ehr.example.org/fhir")
    order = {
        "resourceType": "MedicationRequest",
        "id": "draft-1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.whocc.no/atc",
                    "code": "M05BA08",
                    "display": "zoledronic acid",
                }
            ]
        },
        "dosageInstruction": [
            {
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose_mg,
                            "unit": "mg",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg",
                        }
                    }
                ]
            }
        ],
    }
    return {
        "hook": "order-sign",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/example",
            "patientId": patient_id,
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": order}],
            },
        },
        "prefetch": prefetch,
    }


def main() -> None:
    """Send the call and print the status and the answer."""
    patient = sys.argv[1] if len(sys.argv) > 1 else "oi-girl-20kg"
    dose_mg = float(sys.argv[2]) if len(sys.argv) > 2 else 0.25
    response = httpx.post(
        URL + SIGN,
        json=request(patient, dose_mg),
        headers={"Authorization": f"Bearer {token(URL + SIGN)}"},
        timeout=10,
    )
    print(response.status_code)
    print(json.dumps(response.json(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
