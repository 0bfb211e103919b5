"""Test data made through the public API, as a client would (plus direct creation of hospital
clients and staff, which only the CLI and the demo seed create)."""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import count

from security.totp import code_at
from services.operations import admin, hospitals

PASSWORD = "quiet harbour lantern 58"
_national_ids = count(1)


@dataclass
class Account:
    national_id: str | None = None
    username: str | None = None
    password: str = PASSWORD
    totp_secret: str = ""
    access_token: str = ""
    refresh_token: str = ""
    session_id: str = ""
    trusted_device_token: str = ""
    recovery_codes: list = field(default_factory=list)

    @property
    def login_body(self) -> dict:
        who = {"national_id": self.national_id} if self.national_id else {"username": self.username}
        return {**who, "password": self.password}

    @property
    def auth(self) -> dict:
        return bearer(self.access_token)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def now() -> datetime:
    return datetime.now(timezone.utc)


def next_national_id() -> str:
    return f"0790{next(_national_ids):08d}"


def create_hospital(name: str = "Test Hospital", scopes=None) -> dict:
    return hospitals.create_hospital(current_ctx(), name, scopes=scopes)


def create_staff(app, username: str = "support.one", password: str = PASSWORD,
                 roles: list[str] | None = None) -> Account:
    with app.app_context():
        admin.create_staff(current_ctx(), username, password, roles)
    return Account(username=username, password=password)


def approved_by_colleague(app, client, clock, item_id: str,
                          username: str = "support.colleague") -> dict:
    """A second support account approves a staff item (four eyes); the approval's answer."""
    colleague = enroll_totp(client, create_staff(app, username), clock)
    response = client.post(f"/v1/staff/approvals/{item_id}/approve", headers=colleague.auth)
    assert response.status_code == 200, response.json
    return response.json


def hospital_token(client, hospital: dict) -> str:
    response = client.post("/v1/auth/token", json={"client_id": hospital["client_id"],
                                                   "client_secret": hospital["client_secret"]})
    assert response.status_code == 200, response.json
    return response.json["access_token"]


def activation_code(client, hospital: dict, national_id: str, token: str | None = None,
                    **person) -> str:
    """A code from the hospital's front desk (with `person`'s name, birth_date if given), after
    the hospital pushed today's visit (a hospital issues codes only for people it has a record
    of)."""
    token = token or hospital_token(client, hospital)
    push_visit(client, hospital, national_id, token)
    response = client.post("/v1/hospital/activation-codes",
                           json={"national_id": national_id, **person}, headers=bearer(token))
    assert response.status_code == 201, response.json
    return response.json["activation_code"]


def push_visit(client, hospital: dict, national_id: str, token: str | None = None) -> None:
    """The hospital pushes today's visit of this person (factories.encounter): what lets it
    issue them an activation code."""
    response = push(client, hospital, bundle(encounter(national_id)), token=token)
    assert response.status_code == 200, response.json
    assert response.json["entry"][0]["response"]["status"][:3] in ("200", "201"), response.json


def registered_patient(client, hospital: dict) -> Account:
    account = Account(national_id=next_national_id())
    code = activation_code(client, hospital, account.national_id)
    response = client.post("/v1/auth/register", json={
        "national_id": account.national_id, "activation_code": code, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return account


def enroll_totp(client, account: Account, clock) -> Account:
    """Password sign-in, TOTP set-up and activation: the account ends signed in."""
    response = client.post("/v1/auth/login", json=account.login_body)
    assert response.status_code == 200 and "enrollment_token" in response.json, response.json
    enrollment = bearer(response.json["enrollment_token"])
    account.totp_secret = client.post("/v1/auth/totp/setup", headers=enrollment).json["secret"]
    response = client.post("/v1/auth/totp/activate", headers=enrollment,
                           json={"code": code_at(account.totp_secret, now())})
    assert response.status_code == 200, response.json
    _take_tokens(account, response.json)
    account.recovery_codes = response.json["recovery_codes"]
    return account


def sign_in(client, account: Account, clock) -> Account:
    """A full sign-in with a code from the next 30-second step (each step is usable once)."""
    clock.tick(timedelta(seconds=30))
    response = client.post("/v1/auth/login", json=account.login_body)
    assert response.status_code == 200 and "mfa_token" in response.json, response.json
    response = client.post("/v1/auth/mfa", json={"mfa_token": response.json["mfa_token"],
                                                 "code": code_at(account.totp_secret, now())})
    assert response.status_code == 200, response.json
    return _take_tokens(account, response.json)


def signed_in_patient(client, hospital: dict, clock) -> Account:
    return enroll_totp(client, registered_patient(client, hospital), clock)


def _take_tokens(account: Account, body: dict) -> Account:
    account.access_token = body["access_token"]
    account.refresh_token = body["refresh_token"]
    account.session_id = body["session_id"]
    account.trusted_device_token = body["trusted_device_token"]
    return account


def stored_patient(app, national_id: str) -> dict:
    """The patient's stored document, as it is in the database (sealed values)."""
    from services import patients
    with app.app_context():
        return patients.find(current_ctx(), national_id)


NATIONAL_ID_SYSTEM = "http://fhir.hl7.org.vn/core/sid/cccd"


def subject(national_id: str) -> dict:
    return {"identifier": {"system": NATIONAL_ID_SYSTEM, "value": national_id}}


def lab_result(national_id: str, resource_id: str = "lab-1", value: float = 5.4,
               when: str = "2026-10-01T08:00:00+07:00", code: str = "2339-0") -> dict:
    return {"resourceType": "Observation", "id": resource_id, "status": "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": code,
                                 "display": "Glucose"}]},
            "subject": subject(national_id), "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": "mmol/L"}}


def visit_id(national_id: str) -> str:
    """The resource id of the factories' front-desk visit of this person (a hospital's ids are
    its own, one per patient; no national ID in it)."""
    return "visit-" + hashlib.sha256(national_id.encode()).hexdigest()[:16]


def encounter(national_id: str, resource_id: str | None = None, when: str | None = None) -> dict:
    """An outpatient visit (today's unless `when`; record category "encounter"), as a front
    desk pushes it. Pushed again the same day, it is the same resource: stored once."""
    return {"resourceType": "Encounter", "id": resource_id or visit_id(national_id),
            "status": "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": "AMB", "display": "ambulatory"},
            "subject": subject(national_id), "period": {"start": when or now().date().isoformat()}}


def diagnosis(national_id: str, resource_id: str = "dx-1",
              when: str = "2026-09-15") -> dict:
    return {"resourceType": "Condition", "id": resource_id,
            "code": {"text": "Type 2 diabetes mellitus"}, "subject": subject(national_id),
            "onsetDateTime": when}


def bundle(*resources, bundle_type: str = "batch") -> dict:
    return {"resourceType": "Bundle", "type": bundle_type,
            "entry": [{"resource": r, "request": {"method": "PUT",
                                                  "url": f"{r['resourceType']}/{r.get('id')}"}}
                      for r in resources]}


def bundle_with_patient_entry(observation: dict, national_id: str, full_url: str,
                              **person) -> dict:
    """A bundle whose observation names its patient by reference to a Patient entry (carrying
    the national ID and `person`'s other fields), as hospital systems often send them."""
    observation["subject"] = {"reference": full_url}
    body = bundle(observation)
    body["entry"].insert(0, {"fullUrl": full_url, "resource": {
        "resourceType": "Patient",
        "identifier": [{"system": NATIONAL_ID_SYSTEM, "value": national_id}], **person}})
    return body


def records_of(client, account: Account, visit: bool = False, **query) -> list[dict]:
    """The patient's own records list (first page), as the app sees it; without the visit the
    factories pushed before the patient's activation code unless `visit`."""
    response = client.get("/v1/me/records", headers=account.auth, query_string=query)
    assert response.status_code == 200, response.json
    return [item for item in response.json["items"]
            if visit or not is_visit(item, account.national_id)]


def is_visit(item: dict, national_id: str) -> bool:
    """Whether a record (a list item, or an export line) is the factories' front-desk visit of
    this person (factories.encounter)."""
    resource = item.get("resource") or {}
    return resource.get("resourceType") == "Encounter" and resource.get("id") == visit_id(
        national_id)


def owner_id(client, account: Account) -> str:
    """The patient's own id, as /v1/me gives it."""
    return client.get("/v1/me", headers=account.auth).json["id"]


def person(account: Account) -> dict:
    """A consent grantee naming this patient as a person."""
    return {"type": "person", "national_id": account.national_id}


def shared_records(client, carer: Account, patient_id: str, **query):
    """What `carer` reads of `patient_id`'s records as a caregiver."""
    return client.get(f"/v1/me/shared-with-me/{patient_id}/records", headers=carer.auth,
                      query_string=query)


def push(client, hospital: dict, body: dict, key: str | None = None, token: str | None = None):
    headers = bearer(token or hospital_token(client, hospital))
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/v1/hospital/bundles", json=body, headers=headers)


def current_ctx():
    """The services' context of the app whose context is pushed (`with app.app_context()`)."""
    from flask import current_app
    return current_app.extensions["ctx"]
