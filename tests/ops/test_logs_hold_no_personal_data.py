"""A whole session through the HTTP API, as the demo's first session goes, with every log line
the server writes captured (JSON-formatted, at the server's level): no national ID, name, birth
date, password, TOTP secret, token, code or clinical text appears anywhere in the log."""
import json
import logging

import pytest

from api.observability import JsonFormatter, RequestIdFilter
from tests import factories
from tests.factories import bearer

NAME = "Nguyễn Thị Hoa Canary"
BIRTH_DATE = "1987-03-14"
CANARY = "CANARY-clinical-text-5d1c9e"


@pytest.fixture
def server_log():
    """Every line the root logger's handlers would write during the test, as written."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect(level=logging.INFO)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def session(app, client, hospital, clock) -> list[str]:
    """Runs the session; returns every secret and personal value it handled."""
    token = factories.hospital_token(client, hospital)
    patient = factories.Account(national_id=factories.next_national_id())
    code = factories.activation_code(client, hospital, patient.national_id, token,
                                     name=NAME, birth_date=BIRTH_DATE)
    assert client.post("/v1/auth/register", json={
        "national_id": patient.national_id, "activation_code": code,
        "password": patient.password}).status_code == 201
    factories.enroll_totp(client, patient, clock)
    observation = factories.lab_result(patient.national_id)
    observation["note"] = [{"text": CANARY}]
    pushed = factories.push(client, hospital, factories.bundle_with_patient_entry(
        observation, patient.national_id, "urn:uuid:5b0e7a5e-0000-4000-8000-0000000000aa",
        name=[{"text": NAME}], birthDate=BIRTH_DATE), token=token)
    assert pushed.status_code == 200, pushed.json
    records = factories.records_of(client, patient)
    assert CANARY in json.dumps(records, ensure_ascii=False)
    carer = factories.signed_in_patient(client, hospital, clock)
    consent = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": factories.person(carer), "categories": ["lab"], "purpose": "treatment"})
    assert consent.status_code == 201, consent.json
    assert client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                               "password": "wrong horse battery 9"}
                       ).status_code == 401
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    found = client.post("/v1/staff/patients/search", headers=staff.auth,
                        json={"national_id": patient.national_id})
    assert found.status_code == 200 and found.json
    return [patient.national_id, carer.national_id, NAME, BIRTH_DATE, CANARY,
            patient.password, "wrong horse battery 9", patient.totp_secret,
            carer.totp_secret, staff.totp_secret, code, token, hospital["client_secret"],
            *(getattr(a, f) for a in (patient, carer, staff)
              for f in ("access_token", "refresh_token", "trusted_device_token")),
            *patient.recovery_codes]


def test_a_whole_session_leaves_no_personal_data_or_secret_in_the_log(app, client, hospital,
                                                                      clock, server_log):
    secrets = session(app, client, hospital, clock)
    log = "\n".join(server_log)
    assert server_log  # the audit checkpoint at least is logged
    leaked = [value for value in secrets if value and value in log]
    assert leaked == [], f"in the log: {leaked}"
    # The date and the name in other spellings a formatter might produce.
    assert "14/03/1987" not in log and NAME.encode("unicode_escape").decode() not in log
