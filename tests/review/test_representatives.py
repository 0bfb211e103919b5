"""Review of issue 15: legal representatives. The four eyes look at what the recording account
typed, never at what the platform knows, and an approved link can be neither seen by the
patient nor withdrawn by anyone."""
import pytest

from tests import factories
from tests.factories import PASSWORD
from tests.review.common import decide, patient_id_of, push_hiv, record_ids, staff

EVIDENCE = "Giấy khai sinh 123/2015"


@pytest.fixture
def recorder(app, client, clock):
    return staff(app, client, clock, "support.recorder")


@pytest.fixture
def approver(app, client, clock):
    return staff(app, client, clock, "support.approver")


@pytest.fixture
def friend(client, hospital, clock):
    return factories.signed_in_patient(client, hospital, clock)


def record(client, who, patient_id, representative, born="2015-06-01"):
    return client.post(f"/v1/staff/patients/{patient_id}/representatives", headers=who.auth,
                       json={"representative_national_id": representative.national_id,
                             "relationship": "parent", "child_birth_date": born,
                             "evidence": EVIDENCE})


def test_no_representative_for_a_patient_the_platform_knows_is_an_adult(
        client, hospital, recorder, approver, friend):
    adult = factories.next_national_id()
    push_hiv(client, hospital, adult)
    # The hospital's front desk recorded the birth date (1985): the platform knows an adult.
    factories.activation_code(client, hospital, adult, birth_date="1985-03-02")
    patient_id = patient_id_of(client, recorder, adult)
    recorded = record(client, recorder, patient_id, friend, born="2015-06-01")
    if recorded.status_code == 202:
        # The approver sees only the typed 2015 date; approving it must still open nothing.
        decide(client, approver, recorded.json["id"])
        assert factories.shared_records(client, friend, patient_id).status_code == 403
    else:
        assert recorded.status_code == 422


def _approved_link(client, hospital, recorder, approver, friend):
    child = factories.next_national_id()
    push_hiv(client, hospital, child)
    kid = patient_id_of(client, recorder, child)
    link = record(client, recorder, kid, friend).json["id"]
    assert decide(client, approver, link).status_code == 200
    assert factories.shared_records(client, friend, kid).status_code == 200
    return child, kid, link


def test_an_approved_representative_link_can_be_withdrawn_by_staff(
        client, hospital, recorder, approver, friend):
    child, kid, link = _approved_link(client, hospital, recorder, approver, friend)
    body = {"evidence": "Quyết định của Tòa án số 45/2026"}
    answers = [client.post(f"/v1/staff/patients/{kid}/representatives/{link}/revoke",
                           headers=approver.auth, json=body),
               client.post(f"/v1/staff/patients/{kid}/consents/{link}/revoke",
                           headers=approver.auth, json=body)]
    assert 200 in [a.status_code for a in answers]
    assert factories.shared_records(client, friend, kid).status_code == 403


def test_the_child_sees_in_the_app_who_represents_them(
        client, hospital, recorder, approver, friend, clock):
    child, kid, link = _approved_link(client, hospital, recorder, approver, friend)
    code = factories.activation_code(client, hospital, child)
    client.post("/v1/auth/register", json={"national_id": child, "activation_code": code,
                                           "password": PASSWORD})
    account = factories.enroll_totp(client, factories.Account(national_id=child), clock)
    # The notice says "open the app to see who may act for you": somewhere it must show.
    shown = [client.get(path, headers=account.auth)
             for path in ("/v1/me/consents", "/v1/me/representatives")]
    assert any(link in r.get_data(as_text=True) for r in shown if r.status_code == 200)
