"""POST /v1/auth/register and activation codes."""
from datetime import timedelta

import pytest

from tests import factories
from tests.factories import PASSWORD, activation_code, bearer, hospital_token


def register(client, national_id, code, password=PASSWORD, **extra):
    return client.post("/v1/auth/register", json={"national_id": national_id,
                                                  "activation_code": code,
                                                  "password": password, **extra})


def test_patient_registers_with_a_hospital_issued_code(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    response = register(client, national_id, code, name="Pham Thu Ha", phone="+84901234567")
    assert response.status_code == 201
    assert response.json["id"].startswith("pat_")


def test_typed_code_ignores_case_and_separators(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    response = register(client, national_id, code.replace("-", " ").lower())
    assert response.status_code == 201


def test_activation_code_is_single_use(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    assert register(client, national_id, code).status_code == 201
    again = register(client, national_id, code)
    assert again.status_code == 400
    assert again.content_type == "application/problem+json"


def test_wrong_code_and_wrong_national_id_get_the_same_answer(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    wrong_code = register(client, national_id, "AAAA-BBBB-CCCC")
    wrong_id = register(client, factories.next_national_id(), code)
    assert wrong_code.status_code == wrong_id.status_code == 400
    assert wrong_code.json == wrong_id.json
    assert "national" in wrong_code.json["detail"].lower()  # names both parts, blames neither


def test_code_for_an_already_registered_patient_gets_the_same_answer(client, hospital):
    account = factories.registered_patient(client, hospital)
    new_code = activation_code(client, hospital, account.national_id)
    response = register(client, account.national_id, new_code, password="another fine password 9")
    assert response.status_code == 400
    assert response.json == register(client, account.national_id, "WRONG-CODE-0000").json
    login = client.post("/v1/auth/login", json=account.login_body)
    assert login.status_code == 200  # the original password still works


def test_expired_activation_code_is_refused(client, hospital, clock):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    clock.tick(timedelta(hours=72, seconds=1))
    assert register(client, national_id, code).status_code == 400


@pytest.mark.parametrize("password", ["password1", "12345678", "iloveyou", "matkhau123",
                                      "qwertyuiop", "aaaaaaaaaaaa"])
def test_common_passwords_are_refused(client, hospital, password):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    response = register(client, national_id, code, password=password)
    assert response.status_code == 422
    assert "password" in response.json["errors"]
    # the code was not spent on a refused password
    assert register(client, national_id, code).status_code == 201


def test_password_built_on_the_national_id_is_refused(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    assert register(client, national_id, code, password=national_id + "a").status_code == 422


def test_password_length_bounds(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    assert register(client, national_id, code, password="Zq9#vLp").status_code == 422  # 7
    assert register(client, national_id, code, password="x7" * 65).status_code == 422  # 130
    long_passphrase = "tram chim bay qua song hong luc binh minh len cao mai mai nho em"
    assert len(long_passphrase) >= 64
    assert register(client, national_id, code, password=long_passphrase).status_code == 201


def test_no_composition_rules(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    # lower case letters and spaces only: long and uncommon is enough
    assert register(client, national_id, code, password="violet tractor sings").status_code == 201


@pytest.mark.parametrize("bad_id", ["12345678901", "1234567890123", "12345678901a",
                                    "١٢٣٤٥٦٧٨٩٠١٢", "123456789012\n", " 123456789012", 123456789012])
def test_national_id_must_be_exactly_twelve_ascii_digits(client, hospital, bad_id):
    response = register(client, bad_id, "AAAA-BBBB-CCCC")
    assert response.status_code == 422
    assert "national_id" in response.json["errors"]
    issue = client.post("/v1/hospital/activation-codes", json={"national_id": bad_id},
                        headers=bearer(hospital_token(client, hospital)))
    assert issue.status_code == 422


def test_registration_rejects_unknown_fields(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    response = register(client, national_id, code, role="staff")
    assert response.status_code == 422
    assert response.json["errors"] == {"role": ["Unknown field."]}


def test_operator_injection_in_registration_is_rejected(client):
    response = client.post("/v1/auth/register", json={
        "national_id": {"$ne": None}, "activation_code": {"$gt": ""}, "password": PASSWORD})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"national_id", "activation_code"}


def test_repeated_wrong_codes_lock_registration_for_that_national_id(client, hospital):
    national_id = factories.next_national_id()
    activation_code(client, hospital, national_id)
    statuses = [register(client, national_id, f"WRONG-{i:04d}-XXXX").status_code for i in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    locked = register(client, national_id, "WRONG-9999-XXXX")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


def test_activation_codes_and_passwords_are_stored_hashed(app, client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id)
    register(client, national_id, code)
    db = app.extensions["mongo_db"]
    stored = str(list(db.activation_codes.find())) + str(list(db.patients.find()))
    assert code not in stored and code.replace("-", "") not in stored
    assert PASSWORD not in stored
    assert factories.stored_patient(app, national_id)["password_hash"].startswith("$argon2id$")


def test_staff_can_issue_activation_codes(app, client, hospital, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    national_id = factories.next_national_id()
    issued = client.post("/v1/staff/activation-codes", json={"national_id": national_id},
                         headers=staff.auth)
    assert issued.status_code == 201
    factories.approved_by_colleague(app, client, clock, issued.json["id"])
    assert register(client, national_id, issued.json["activation_code"]).status_code == 201


def test_password_built_on_the_name_the_hospital_recorded_is_refused(client, hospital):
    national_id = factories.next_national_id()
    code = activation_code(client, hospital, national_id, name="Lê Minh Châu",
                           birth_date="1990-07-15")
    for weak in ("leminhchau1990", "chau15071990"):
        refused = register(client, national_id, code, password=weak)
        assert refused.status_code == 422 and "password" in refused.json["errors"]
    assert register(client, national_id, code).status_code == 201  # the code was not used up


def test_a_new_code_cancels_the_older_unused_ones(client, hospital):
    national_id = factories.next_national_id()
    first = activation_code(client, hospital, national_id)
    second = activation_code(client, hospital, national_id)
    assert register(client, national_id, first).status_code == 400
    assert register(client, national_id, second).status_code == 201


def test_a_stale_password_hash_is_upgraded_at_sign_in(app, client, hospital):
    from tests.factories import current_ctx
    from security.passwords import Passwords
    account = factories.registered_patient(client, hospital)
    patient = factories.stored_patient(app, account.national_id)
    with app.app_context():
        older = Passwords(time_cost=2, memory_kib=8, parallelism=1,
                          pepper=app.config["HASH_PEPPER"]).hash(
            PASSWORD, patient["national_id_hash"])
        current_ctx().repos.accounts.rehash_password("patient", patient["_id"], older)
    assert client.post("/v1/auth/login", json=account.login_body).status_code == 200
    with app.app_context():
        upgraded = current_ctx().repos.accounts.get("patient", patient["_id"])["password_hash"]
    assert upgraded != older and "t=1," in upgraded
    assert client.post("/v1/auth/login", json=account.login_body).status_code == 200
