"""Review of issue 15: a database operator (writes any document, holds no server key) reaches a
patient's records with no second person and nothing the patient is told. Consents and
credentials are plain data: nothing a server key signs is checked when they are used."""
import pytest
from argon2 import PasswordHasher

from tests import factories
from tests.review.common import grant, push_hiv, record_consent, record_ids, staff
from tests.factories import current_ctx

OPERATORS_PASSWORD = "operator chose this 77"


def test_a_pending_staff_consent_flipped_to_active_in_the_database_permits_nothing(
        app, client, hospital, patient, clock):
    push_hiv(client, hospital, patient.national_id)
    recorder = staff(app, client, clock, "support.recorder")
    friend = factories.signed_in_patient(client, hospital, clock)
    owner = factories.owner_id(client, patient)
    item = record_consent(client, recorder, owner, factories.person(friend)).json["id"]
    with app.app_context():  # no second staff account, no consent.approve entry
        current_ctx().db.consents.update_one({"_id": item}, {"$set": {
            "status": "active", "approved_by": "staff:nobody", "approved_at": factories.now()}})
    assert factories.shared_records(client, friend, owner).status_code == 403


def test_a_consent_widened_in_the_database_shows_nothing_beyond_its_signed_terms(
        app, client, hospital, patient, clock):
    push_hiv(client, hospital, patient.national_id)
    friend = factories.signed_in_patient(client, hospital, clock)
    owner = factories.owner_id(client, patient)
    consent_id = grant(client, patient, factories.person(friend), ["lab"])  # receipt: lab only
    with app.app_context():
        current_ctx().db.consents.update_one({"_id": consent_id}, {"$set": {
            "categories": ["all"], "sensitive": ["hiv"]}})
    read = factories.shared_records(client, friend, owner)
    assert read.status_code == 403 or "dx-hiv" not in record_ids(read)


def test_a_database_operator_cannot_take_over_a_registered_patient_by_rewriting_credentials(
        app, client, hospital, patient, clock):
    push_hiv(client, hospital, patient.national_id)
    owner = factories.owner_id(client, patient)
    with app.app_context():  # an argon2 hash needs no server key; nor does "no factor yet"
        current_ctx().db.patients.update_one({"_id": owner}, {
            "$set": {"password_hash": PasswordHasher().hash(OPERATORS_PASSWORD),
                     "totp_active": False}, "$unset": {"totp_secret": ""}})
    signed_in = client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                                    "password": OPERATORS_PASSWORD})
    if signed_in.status_code == 200 and "enrollment_token" in signed_in.json:
        operator = factories.enroll_totp(client, factories.Account(
            national_id=patient.national_id, password=OPERATORS_PASSWORD), clock)
        records = client.get("/v1/me/records", headers=operator.auth)
        assert records.status_code != 200 or "dx-hiv" not in record_ids(records)


def test_a_password_hash_copied_from_an_account_the_operator_owns_opens_nothing(
        app, client, hospital, patient, clock):
    mine = factories.signed_in_patient(client, hospital, clock)
    with app.app_context():
        db = current_ctx().db
        own = db.patients.find_one({"_id": factories.owner_id(client, mine)})
        db.patients.update_one({"_id": factories.owner_id(client, patient)},
                               {"$set": {"password_hash": own["password_hash"]}})
    attempt = client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                                  "password": mine.password})
    assert attempt.status_code == 401
