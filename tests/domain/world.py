"""A small world for the domain tests, built through the services themselves."""
from services import patients
from services.operations import hospitals
from services.records import ingest
from services.signin import registration
from tests.factories import PASSWORD, bundle, encounter, lab_result, next_national_id

__all__ = ["PASSWORD", "hospital", "push", "person_with_results", "registered"]


def hospital(ctx, name: str = "Bệnh viện Đa khoa Tỉnh") -> str:
    return hospitals.create_hospital(ctx, name)["hospital_id"]


def push(ctx, hospital_id: str, *resources, key: str | None = None) -> dict:
    """POST /v1/hospital/bundles without HTTP: the batch-response bundle."""
    body = bundle(*resources)
    return ingest.ingest(ctx, hospital_id, body, f"body-{id(body)}", key)


def person_with_results(ctx, hospital_id: str) -> tuple[str, str]:
    """(national ID, patient id) of a person the hospital saw today and took a lab test of."""
    national_id = next_national_id()
    push(ctx, hospital_id, encounter(national_id), lab_result(national_id))
    return national_id, patients.find(ctx, national_id)["_id"]


def registered(ctx, hospital_id: str) -> tuple[str, str]:
    """(national ID, patient id) of a person with results who registered with the hospital's
    activation code."""
    national_id, patient_id = person_with_results(ctx, hospital_id)
    code = registration.issue_activation_code(ctx, national_id,
                                              {"type": "hospital", "id": hospital_id})
    registration.register(ctx, national_id, code["activation_code"], PASSWORD, {})
    return national_id, patient_id
