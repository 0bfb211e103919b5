"""What is stored: no national ID, name, contact detail, birth date or TOTP seed in the clear,
and sealed values bound to their patient and field."""
import json

import pytest

from security.crypto import DecryptionError
from services import patients
from tests import factories
from tests.factories import current_ctx

NAME, PHONE, EMAIL = "Canary Lê Thị Hoa", "+84987650321", "canary.hoa@example.vn"


def raw_dump(app) -> str:
    db = app.extensions["mongo_db"]
    return json.dumps({name: list(db[name].find()) for name in db.list_collection_names()},
                      default=str, ensure_ascii=False)


def test_no_personal_value_is_stored_in_the_clear(app, client, hospital, clock):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id, name=NAME,
                                     birth_date="1987-03-09")
    account = factories.Account(national_id=national_id)
    assert client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code,
        "password": account.password, "phone": PHONE, "email": EMAIL}).status_code == 201
    factories.enroll_totp(client, account, clock)
    profile = client.get("/v1/me", headers=account.auth).json
    assert (profile["national_id"], profile["name"], profile["phone"], profile["email"],
            profile["birth_date"]) == (national_id, NAME, PHONE, EMAIL, "1987-03-09")
    dump = raw_dump(app)
    for canary in (national_id, NAME, "Canary", PHONE, EMAIL, "1987-03-09", account.totp_secret):
        assert canary not in dump


def test_a_sealed_value_copied_to_another_patient_does_not_open(app, client, hospital):
    first, second = factories.next_national_id(), factories.next_national_id()
    for national_id in (first, second):
        factories.activation_code(client, hospital, national_id)
    a, b = factories.stored_patient(app, first), factories.stored_patient(app, second)
    with app.app_context():
        with pytest.raises(DecryptionError):
            patients.person(current_ctx(), {**b, "national_id": a["national_id"]})
        with pytest.raises(DecryptionError):  # nor in another field of the same patient
            patients.person(current_ctx(), {**a, "name": a["national_id"]})
