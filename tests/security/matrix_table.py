"""The authorization matrix as data: one row per operation of the OpenAPI document.

A row says which audiences may call the operation and what they get with their own ids
(`allowed`), what an allowed audience gets for someone else's id or a missing one (`foreign`: the
two must be indistinguishable), and what every other audience gets (`refused`: by default 401
anonymous, 403 for a token of another audience). `ids` names the kind of id behind each
placeholder of the path (or of the body); kinds in `fixed` are not varied between own and
foreign (staff act for every patient: only a missing patient is tested). `body` builds a minimal
valid body for the audience, so the row tests authorization, not validation. `fresh` rows change
what the world's other rows rely on (sessions, tokens, consents) and get a world of their own.
"""
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from security.totp import code_at
from tests import factories
from tests.factories import bundle, lab_result
from tests.security import matrix_rights
from tests.security.audiences import (ANONYMOUS, AUDIENCES, CAREGIVER, ENROLLING, HOSPITAL,
                                      HOSPITALS, OTHER_PATIENT, PATIENT, PATIENTS, STAFF, STEPS)

PUBLIC = AUDIENCES
SIGNED_IN = (*PATIENTS, STAFF)  # accounts with a password, a second factor and sessions


@dataclass(frozen=True)
class Row:
    allowed: dict                       # audience -> status with its own ids
    foreign: int | None = None          # status of a foreign or missing id (allowed audiences)
    ids: dict = field(default_factory=dict)  # placeholder -> id kind (see audiences.ID_KINDS)
    fixed: tuple = ()                   # placeholders that stay the caller's own in `foreign`
    body: Callable | None = None        # (world, audience, ids) -> JSON body
    refused: dict = field(default_factory=dict)  # audience -> status, beyond 401/403
    token: str = "access"               # or "refresh"
    headers: dict = field(default_factory=dict)  # sent beside the token
    fresh: bool = False                 # needs a world of its own
    note: str = ""

    def expected(self, audience: str, case: str) -> int:
        """The status `audience` gets with its `own`, a `foreign` or a `missing` id."""
        if audience in self.allowed:
            return self.allowed[audience] if case == "own" else self.foreign
        return self.refused.get(audience, 401 if audience == ANONYMOUS else 403)


def every(audiences, status: int) -> dict:
    return {audience: status for audience in audiences}


# --- minimal valid bodies --------------------------------------------------------------------

def _new_password() -> str:
    return f"amber kettle drifts {secrets.randbelow(10**6)}"


def _reauth(world, audience, ids) -> dict:
    """Password and a recovery code of the caller's account; nothing with an enrollment token
    (there is no factor yet to prove)."""
    if audience == ENROLLING:
        return {}
    account = world.account(audience)
    return {"password": account.password, "recovery_code": account.recovery_codes.pop()}


def _activate(world, audience, ids) -> dict:
    """A pending factor (set up with the audience's own token), and its code."""
    if audience not in (*SIGNED_IN, ENROLLING):
        return {"code": "123456"}
    response = world.client.post("/v1/auth/totp/setup", headers=world.headers(audience),
                                 json=_reauth(world, audience, ids))
    assert response.status_code == 200, response.json
    return {"code": code_at(response.json["secret"], factories.now())}


def _register(world, audience, ids) -> dict:
    national_id = factories.next_national_id()
    return {"national_id": national_id, "password": factories.PASSWORD,
            "activation_code": world.issue_activation_code(national_id)}


def _password_reset(world, audience, ids) -> dict:
    account = world.patient_account(audience)
    new = _new_password()
    body = {"national_id": account.national_id, "new_password": new,
            "activation_code": world.issue_activation_code(account.national_id),
            "recovery_code": account.recovery_codes.pop()}
    account.password = new  # the reset below succeeds (every audience may ask for it)
    return body


def _mfa(world, audience, ids) -> dict:
    account = world.account(audience)
    response = world.client.post("/v1/auth/login", json=account.login_body)
    assert response.status_code == 200, response.json
    return {"mfa_token": response.json["mfa_token"], "recovery_code": account.recovery_codes.pop()}


def _client_credentials(world, audience, ids) -> dict:
    hospital = world.hospitals[audience if audience in HOSPITALS else HOSPITAL]
    return {"client_id": hospital["client_id"], "client_secret": hospital["client_secret"]}


def _password_change(world, audience, ids) -> dict:
    account = world.account(audience)
    new = _new_password()
    body = {"current_password": account.password, "new_password": new}
    if audience in PATIENTS:
        account.password = new
    return body


def _measurement(world, audience, ids) -> dict:
    return {"kind": "weight", "value": 61.5, "unit": "kg",
            "measured_at": datetime.now(timezone.utc).isoformat()}


def _consent(world, audience, ids) -> dict:
    return {"grantee": {"type": "hospital", "id": world.hospitals[HOSPITAL]["hospital_id"]},
            "categories": ["lab"], "purpose": "other"}


def _receipt(world, audience, ids) -> dict:
    return dict(world.people.get(audience, world.people[PATIENT]).receipt)


def _device(world, audience, ids) -> dict:
    return {"token": f"fcm-{secrets.token_hex(12)}", "platform": "ios"}


def _new_national_id(world, audience, ids) -> dict:
    return {"national_id": factories.next_national_id()}


def _treated_national_id(world, audience, ids) -> dict:
    """A new person whose visit the calling hospital (HOSPITAL for other callers) has pushed:
    a hospital issues codes only for people it has a record of."""
    national_id = factories.next_national_id()
    hospital = audience if audience in HOSPITALS else HOSPITAL
    factories.push_visit(world.client, world.hospitals[hospital], national_id,
                         world.hospital_tokens[hospital])
    return {"national_id": national_id}


def _bundle(world, audience, ids) -> dict:
    return bundle(lab_result(factories.next_national_id(), f"lab-{secrets.token_hex(6)}"))


def _search(world, audience, ids) -> dict:
    return {"national_id": ids["national_id"], "purpose": "treatment"}


def _staff_search(world, audience, ids) -> dict:
    return {"national_id": world.people[PATIENT].account.national_id}


def _evidence(world, audience, ids) -> dict:
    return {"evidence": "FORM-2026-0042"}


def _staff_consent(world, audience, ids) -> dict:
    return {**_consent(world, audience, ids), **_evidence(world, audience, ids)}


def _representative(world, audience, ids) -> dict:
    return {"representative_national_id": factories.next_national_id(),
            "relationship": "parent", "child_birth_date": "2016-05-01",
            **_evidence(world, audience, ids)}


def _reason(world, audience, ids) -> dict:
    return {"reason": "Lost phone; identity checked at the desk."}


def _empty(world, audience, ids) -> dict:
    return {}


# --- the table -------------------------------------------------------------------------------

_ME = every(PATIENTS, 200)
_SIGNED_IN = every(SIGNED_IN, 200)
_FACTOR_SET_UP = every((*SIGNED_IN, ENROLLING), 200)
_NO_REFRESH_TOKEN = every((*HOSPITALS, *STEPS), 401)

MATRIX = {
    # Public sign-in steps: a bearer token of any audience is ignored.
    ("POST", "/v1/auth/register"): Row(every(PUBLIC, 201), body=_register),
    ("POST", "/v1/auth/login"): Row(every(PUBLIC, 200), body=lambda w, a, i:
                                    w.account(a).login_body),
    ("POST", "/v1/auth/password-reset"): Row(every(PUBLIC, 204), body=_password_reset,
                                             fresh=True, note="ends the patient's sessions"),
    ("POST", "/v1/auth/mfa"): Row(every(PUBLIC, 200), body=_mfa),
    ("POST", "/v1/auth/token"): Row(every(PUBLIC, 200), body=_client_credentials),
    ("POST", "/v1/consent-receipts/verify"): Row(every(PUBLIC, 200), body=_receipt),
    # Signed-in accounts (patients and staff), each on its own account.
    ("POST", "/v1/auth/totp/setup"): Row(_FACTOR_SET_UP, body=_reauth, fresh=True,
                                         note="enrolling: the first factor, signed-in: a "
                                              "replacement"),
    ("POST", "/v1/auth/totp/activate"): Row(_FACTOR_SET_UP, body=_activate, fresh=True,
                                            note="a replaced factor signs every device out"),
    ("POST", "/v1/auth/recovery-codes"): Row(_SIGNED_IN, body=_reauth, fresh=True),
    ("POST", "/v1/auth/refresh"): Row(_SIGNED_IN, token="refresh", fresh=True,
                                      refused=_NO_REFRESH_TOKEN,
                                      note="hospital access and step tokens are no refresh "
                                           "tokens: 401"),
    ("POST", "/v1/auth/logout"): Row(every(SIGNED_IN, 204), fresh=True),
    # The patient's own data: another patient's id answers exactly like a missing one.
    ("GET", "/v1/me"): Row(_ME),
    ("GET", "/v1/me/sessions"): Row(_ME),
    ("DELETE", "/v1/me/sessions/{session_id}"): Row(
        every(PATIENTS, 204), foreign=404, ids={"session_id": "session"}, fresh=True,
        note="own: the caller's current session, ended last"),
    ("POST", "/v1/me/password"): Row(every(PATIENTS, 204), body=_password_change, fresh=True),
    ("GET", "/v1/me/access-log"): Row(_ME),
    ("GET", "/v1/me/records"): Row(_ME),
    ("POST", "/v1/me/records"): Row(every(PATIENTS, 201), body=_measurement),
    ("GET", "/v1/me/records/{record_id}"): Row(_ME, foreign=404, ids={"record_id": "record"}),
    ("GET", "/v1/me/export"): Row(_ME),
    ("GET", "/v1/me/consents"): Row(_ME),
    ("POST", "/v1/me/consents"): Row(every(PATIENTS, 201), body=_consent),
    ("POST", "/v1/me/consents/{consent_id}/revoke"): Row(
        _ME, foreign=404, ids={"consent_id": "consent"}, body=_empty, fresh=True),
    ("GET", "/v1/me/shared-with-me"): Row(_ME),
    ("GET", "/v1/me/representatives"): Row(_ME),
    ("GET", "/v1/me/shared-with-me/{patient_id}/records"): Row(
        {CAREGIVER: 200, PATIENT: 403, OTHER_PATIENT: 403}, foreign=403,
        ids={"patient_id": "sharer"},
        note="own: a patient who shared with the caller (only caregiver has one; the others "
             "name themselves); a patient who shared nothing answers like a missing one: 403"),
    ("POST", "/v1/me/devices"): Row(every(PATIENTS, 201), body=_device),
    ("DELETE", "/v1/me/devices/{device_id}"): Row(
        every(PATIENTS, 204), foreign=404, ids={"device_id": "device"}, fresh=True),
    ("GET", "/v1/me/notifications"): Row(_ME),
    ("POST", "/v1/me/notifications/{notification_id}/read"): Row(
        every(PATIENTS, 204), foreign=404, ids={"notification_id": "notification"}),
    ("GET", "/v1/me/notification-preferences"): Row(_ME),
    ("POST", "/v1/me/requests"): Row(every(PATIENTS, 201), body=lambda w, a, i: {
        "kind": "objection", "details": "Tôi phản đối việc xử lý cho nghiên cứu"}),
    ("GET", "/v1/me/requests"): Row(_ME),
    ("GET", "/v1/me/requests/{request_id}"): Row(_ME, foreign=404, ids={"request_id": "request"}),
    ("PUT", "/v1/me/notification-preferences"): Row(_ME, body=lambda w, a, i: {"muted": []}),
    # Hospitals (client-credentials tokens with every scope).
    ("POST", "/v1/hospital/activation-codes"): Row(every(HOSPITALS, 201),
                                                   body=_treated_national_id),
    ("POST", "/v1/hospital/bundles"): Row(every(HOSPITALS, 200), body=_bundle),
    ("GET", "/v1/hospital/export"): Row(every(HOSPITALS, 200)),
    ("GET", "/v1/hospital/$export"): Row(every(HOSPITALS, 202),
                                         headers={"Prefer": "respond-async"}),
    ("GET", "/v1/hospital/$export-status/{job_id}"): Row(
        every(HOSPITALS, 200), foreign=404, ids={"job_id": "job"}),
    ("GET", "/v1/hospital/$export-files/{job_id}/{resource_type}"): Row(
        every(HOSPITALS, 200), foreign=404, ids={"job_id": "job", "resource_type": "resource_type"},
        fixed=("resource_type",)),
    ("GET", "/v1/hospital/$export-handover/{job_id}"): Row(
        every(HOSPITALS, 200), foreign=404, ids={"job_id": "job"}),
    ("DELETE", "/v1/hospital/$export-status/{job_id}"): Row(
        every(HOSPITALS, 202), foreign=404, ids={"job_id": "job"}, fresh=True),
    # Only an audit witness client (audience `witness`) reads it: every audience here, the
    # hospitals included, is refused (tests/api/test_audit_witness.py has the witness).
    ("GET", "/v1/audit/checkpoint"): Row({}, note="audit witnesses only"),
    ("POST", "/v1/hospital/records/search"): Row(
        every(HOSPITALS, 200), foreign=403, ids={"national_id": "national_id"}, body=_search,
        note="own: a patient who consented to this hospital; another patient, or none, 403"),
    # Support staff: every patient is theirs to serve; a missing one is 404.
    ("POST", "/v1/staff/patients/search"): Row({STAFF: 200}, body=_staff_search),
    ("POST", "/v1/staff/activation-codes"): Row({STAFF: 201}, body=_new_national_id),
    ("GET", "/v1/staff/patients/{patient_id}/consents"): Row(
        {STAFF: 200}, foreign=404, ids={"patient_id": "patient"}, fixed=("patient_id",)),
    ("POST", "/v1/staff/patients/{patient_id}/consents"): Row(
        {STAFF: 202}, foreign=404, ids={"patient_id": "patient"}, fixed=("patient_id",),
        body=_staff_consent, note="pending a second staff account's approval"),
    ("POST", "/v1/staff/patients/{patient_id}/representatives"): Row(
        {STAFF: 202}, foreign=404, ids={"patient_id": "patient"}, fixed=("patient_id",),
        body=_representative),
    ("POST", "/v1/staff/patients/{patient_id}/representatives/{link_id}/revoke"): Row(
        {STAFF: 200}, foreign=404, ids={"patient_id": "patient", "link_id": "link"},
        fixed=("patient_id",), body=_evidence, fresh=True,
        note="foreign: another patient's link under this patient's path"),
    # The four-eyes queue: an item another staff account recorded (audiences.World).
    ("GET", "/v1/staff/approvals"): Row({STAFF: 200}),
    ("POST", "/v1/staff/approvals/{item_id}/approve"): Row(
        {STAFF: 200}, foreign=404, ids={"item_id": "item"}, fixed=("item_id",), fresh=True),
    ("POST", "/v1/staff/approvals/{item_id}/reject"): Row(
        {STAFF: 200}, foreign=404, ids={"item_id": "item"}, fixed=("item_id",), fresh=True),
    ("GET", "/v1/staff/approvals/{item_id}/evidence-scan"): Row(
        {STAFF: 200}, foreign=404, ids={"item_id": "item"}, fixed=("item_id",)),
    ("POST", "/v1/staff/patients/{patient_id}/consents/{consent_id}/revoke"): Row(
        {STAFF: 200}, foreign=404, ids={"patient_id": "patient", "consent_id": "consent"},
        fixed=("patient_id",), body=_evidence, fresh=True,
        note="foreign: another patient's consent under this patient's path"),
    ("POST", "/v1/staff/patients/{patient_id}/reset-mfa"): Row(
        {STAFF: 204}, foreign=404, ids={"patient_id": "patient"}, fixed=("patient_id",),
        body=_reason, fresh=True),
}
MATRIX.update(matrix_rights.rows(Row))  # the request queue (matrix_rights.py)
