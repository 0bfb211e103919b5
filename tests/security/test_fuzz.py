"""Schemathesis over the whole OpenAPI document, in-process (no server): every operation with
the token of the audience it serves, then with none. Whatever is sent, no 500, every status is
documented for its operation, every body matches its documented schema and media type, every
error is problem+json, and invalid input is refused.

Bounded for CI and reproducible: a fixed seed, derandomized Hypothesis, a few fuzzed examples per
operation on top of schemathesis's deterministic coverage cases (boundaries, missing and wrong
fields). A failure prints the curl command that reproduces it.
"""
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from api.errors import PROBLEM_JSON
from tests.conftest import drop_database, empty_database
from tests.security.audiences import (CAREGIVER, HOSPITAL, OTHER_PATIENT, PATIENT, STAFF, World,
                                      world_app)

SEED = 20261125
# Checks left out, each for one operation and with its reason. positive_data_acceptance asks
# that any request the document allows be accepted; these operations refuse some on rules the
# document states in words, not in JSON Schema (or cannot: state the client cannot guess).
SCHEMA_VALID_YET_REFUSED = {
    "POST /v1/auth/register": "a 400 for an activation code that is not a valid, unused one",
    "POST /v1/auth/login": "exactly one of national_id or username (described, not a oneOf)",
    "POST /v1/auth/totp/setup": "at most one of code or recovery_code (described)",
    "POST /v1/auth/recovery-codes": "at most one of code or recovery_code (described)",
    "POST /v1/auth/password-reset": "one of code or recovery_code (described); a 400 for an "
                                    "activation code that is not valid",
    "POST /v1/auth/mfa": "exactly one of code or recovery_code (described)",
    "GET /v1/me/access-log": "cursor: only one this API handed out (opaque)",
    "GET /v1/me/records": "cursor: only one this API handed out (opaque)",
    "GET /v1/me/notifications": "cursor: only one this API handed out (opaque)",
    "GET /v1/staff/approvals": "cursor: only one this API handed out (opaque)",
    "GET /v1/me/requests": "cursor: only one this API handed out (opaque)",
    "GET /v1/staff/requests": "cursor: only one this API handed out (opaque)",
    "POST /v1/me/requests": "record_id for a correction only, consent_ids for a withdrawal only "
                            "(described); ids of the patient's own records and consents",
    "GET /v1/me/shared-with-me/{patient_id}/records": "cursor: only one this API handed out",
    "POST /v1/me/records": "the fields each kind of measurement takes (described)",
    "POST /v1/me/consents": "the grantee takes id (hospital) or national_id (person); "
                            "expires_at before 2200 (both described)",
    "POST /v1/staff/patients/{patient_id}/consents": "as POST /v1/me/consents; a scan whose "
                                                     "bytes are not the file it names",
    "POST /v1/staff/patients/{patient_id}/representatives": "a birth date that makes a child "
                                                            "(described); a scan as above",
    "POST /v1/hospital/bundles": "the body is a FHIR R4 Bundle, validated by fhir.resources: "
                                 "documented as an object, beyond what the document can say",
}
CONFIG = {
    "seed": SEED,
    # The Authorization header is the test's to set (a valid token per audience), not the
    # generator's: its negative cases would otherwise drop it and blame the answer's 200.
    "generation": {"mode": "all", "with-security-parameters": False},
    "operations": [{"include-name": name, "checks": {"positive_data_acceptance": {"enabled": False}}}
                   for name in SCHEMA_VALID_YET_REFUSED],
}
# Anonymous calls all end at the token check: a few fuzzed cases per operation are enough.
ANONYMOUS_CONFIG = {**CONFIG, "phases": {"coverage": {"enabled": False},
                                          "examples": {"enabled": False}}}
BOUNDED = settings(derandomize=True, deadline=None, database=None,
                   # generation speed varies with what else runs on the CI machine
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                          HealthCheck.data_too_large])

# schemathesis parametrizes at collection time, so the app exists at import (its lazy,
# fixture-based loader does not run on pytest 9.2: it sets Node._nodeid, which pytest dropped).
APP = world_app()
signed_in = schemathesis.openapi.from_wsgi(
    "/v1/openapi.json", APP, config=schemathesis.config.SchemathesisConfig.from_dict(CONFIG))
anonymous = schemathesis.openapi.from_wsgi(
    "/v1/openapi.json", APP,
    config=schemathesis.config.SchemathesisConfig.from_dict(ANONYMOUS_CONFIG))


@pytest.fixture(scope="module")
def fuzz_world():
    # APP is built at import and so outlives a pytest session run in the same process again
    # (mutmut's clean run after its stats run): start from an empty database each time.
    empty_database(APP)
    yield World.build(APP, APP.test_client())
    drop_database(APP)


def problem_details(ctx, response, case) -> None:
    """Every error is RFC 9457 problem+json with the status it is sent with."""
    if response.status_code < 400:
        return
    media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    assert media_type == PROBLEM_JSON, f"an error {response.status_code} as {media_type!r}"
    body = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= set(body), f"not a problem: {body}"
    assert body["status"] == response.status_code, f"status {body['status']} in the body"


def _audience(path: str) -> str:
    """Who calls an operation: the audience it serves. Caregiving paths (and revoking a
    consent, so that `patient`'s grant to its caregiver survives the fuzzing) as `caregiver`."""
    if path.startswith("/v1/hospital/"):
        return HOSPITAL
    if path.startswith("/v1/staff/"):
        return STAFF
    if path.startswith("/v1/me/shared-with-me") or path.endswith("/revoke"):
        return CAREGIVER
    return PATIENT  # /v1/me, /v1/auth, and the public operations (which ignore the token)


def _headers(world: World, case) -> dict:
    """Logout and refresh end or rotate their session: each of their cases gets its own."""
    path = case.operation.path
    if path in ("/v1/auth/logout", "/v1/auth/refresh"):
        pair = world.new_session(PATIENT)
        token = pair["refresh_token" if path.endswith("/refresh") else "access_token"]
        return {"Authorization": f"Bearer {token}"}
    return world.headers(_audience(path))


def _own_ids(world: World, case) -> None:
    """Generated ids name nothing (404 before any body is read): a case whose path is meant to
    be valid names something real of the caller's instead. Staff act on `other_patient`, whose
    sessions the fuzzing does not use (a second-factor reset ends them all)."""
    if not case.path_parameters or case.meta is None \
            or case.meta.is_negative_at(ParameterLocation.PATH):
        return
    audience = _audience(case.operation.path)
    for name in case.path_parameters:
        if name == "session_id":  # a session of its own: the caller's must outlive the case
            case.path_parameters[name] = world.new_session(PATIENT)["session_id"]
        elif audience == STAFF:
            case.path_parameters[name] = world.ids_for(OTHER_PATIENT, name[:-3])[0]
        else:
            kind = "sharer" if name == "patient_id" else name.removesuffix("_id")
            case.path_parameters[name] = world.ids_for(audience, kind)[0]


@signed_in.parametrize()
@settings(BOUNDED, max_examples=12)
def test_fuzz_with_the_audience_token(case, fuzz_world):
    _own_ids(fuzz_world, case)
    case.call_and_validate(headers=_headers(fuzz_world, case), additional_checks=[problem_details])


@anonymous.parametrize()
@settings(BOUNDED, max_examples=4)
def test_fuzz_without_a_token(case):
    case.call_and_validate(additional_checks=[problem_details])
