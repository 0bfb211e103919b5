"""What a caregiver, a hospital or staff could learn of a patient's sensitive records, found by a
review of access to clinical data (each was a leak, now closed): a cursor after hidden records
only, a cursor replayed on another list, consent receipts shown to staff, HIV tests the code
tables missed."""
import base64
import json

import pytest

from tests import factories
from tests.api.test_consents import grant
from tests.factories import bundle, diagnosis, lab_result, owner_id, person, push, shared_records

HIV_CODE = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}


def hiv_diagnosis(national_id, resource_id, when):
    resource = diagnosis(national_id, resource_id, when=when)
    resource["code"] = HIV_CODE
    return resource


def test_a_full_last_page_does_not_announce_a_hidden_sensitive_record_after_it(
        client, hospital, patient, clock):
    """The caregiver sees one diagnosis. Whether or not an (older) HIV diagnosis exists, the
    answer must be the same: here the page holding the only visible record carries a
    next_cursor, and the page it leads to is empty, which tells the caregiver a hidden
    (sensitive) record exists."""
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving")
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-06-03"),
                                  hiv_diagnosis(patient.national_id, "dx-hiv", "2026-06-01")))
    page = shared_records(client, carer, owner_id(client, patient), limit=1)
    assert page.status_code == 200
    assert [r["resource"]["id"] for r in page.json["items"]] == ["dx-a"]
    assert page.json["next_cursor"] is None  # a cursor here led to an empty page


def test_a_shared_records_cursor_is_not_accepted_on_the_caregivers_own_list(
        client, hospital, patient, clock):
    """A cursor of a caregiver's shared page can point at a record the consent hides (the last
    record a page read). Cursors are not bound to the list that issued them, so the caregiver
    replays it on their own /v1/me/records, where they place patient-entered measurements at
    chosen times: the own records returned after the cursor reveal the hidden record's
    clinical date (here: an HIV diagnosis on 2026-06-02)."""
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving")
    push(client, hospital, bundle(
        diagnosis(patient.national_id, "dx-a", when="2026-06-05"),
        hiv_diagnosis(patient.national_id, "dx-hiv-1", "2026-06-04"),
        diagnosis(patient.national_id, "dx-b", when="2026-06-03"),
        hiv_diagnosis(patient.national_id, "dx-hiv-2", "2026-06-02"),
        diagnosis(patient.national_id, "dx-c", when="2026-06-01")))
    page = shared_records(client, carer, owner_id(client, patient), limit=2).json
    assert [r["resource"]["id"] for r in page["items"]] == ["dx-a", "dx-b"]
    cursor = page["next_cursor"]
    for day in ("2026-06-01", "2026-06-02", "2026-06-03"):
        added = client.post("/v1/me/records", headers=carer.auth, json={
            "kind": "weight", "value": 60, "unit": "kg", "measured_at": f"{day}T12:00:00+00:00"})
        assert added.status_code == 201
    replayed = client.get("/v1/me/records", headers=carer.auth, query_string={"cursor": cursor})
    # Accepted, it answers the own measurement of 06-01 only: the hidden record sits between
    # 06-01 12:00 and 06-02 12:00, where no visible record is.
    assert replayed.status_code == 422, [r["effective_at"] for r in replayed.json["items"]]
    assert list(replayed.json["errors"]) == ["cursor"]


@pytest.fixture
def staff(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.review"), clock)


def decoded(receipt):
    payload = receipt["payload"]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_staff_cannot_read_the_sensitive_kinds_a_consent_names_from_its_receipt(
        client, hospital, patient, staff, clock):
    """Staff are shown sensitive == ["named"] so they never learn e.g. an HIV status, but the
    same answer carries the receipt, whose payload (plain base64 JSON) names "hiv"."""
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving", sensitive=["hiv"])
    listed = client.get(f"/v1/staff/patients/{owner_id(client, patient)}/consents",
                        headers=staff.auth)
    [by_staff] = listed.json
    assert by_staff["sensitive"] == ["named"]
    assert "receipt" not in by_staff and "revocation_receipt" not in by_staff
    assert b'"hiv"' not in listed.data.lower()  # as a value: random ids may hold the letters
    revoked = client.post(f"/v1/staff/patients/{owner_id(client, patient)}/consents/"
                          f"{by_staff['id']}/revoke", headers=staff.auth,
                          json={"evidence": "form-42"})
    assert revoked.status_code == 200, revoked.json
    assert b'"hiv"' not in revoked.data.lower() and "revocation_receipt" not in revoked.json
    # The patient keeps both receipts, naming what they signed.
    [own] = client.get("/v1/me/consents", headers=patient.auth).json
    assert "hiv" in decoded(own["receipt"])["sensitive"] and own["revocation_receipt"]


@pytest.mark.parametrize("loinc", [
    "7918-6",   # HIV 1+2 Ab [Presence] in Serum
    "31201-7",  # HIV 1+2 Ab [Presence] in Serum or Plasma
    "75666-8",  # HIV 1+2 Ab + HIV 1 p24 Ag [Presence] in Serum or Plasma by Immunoassay
])
def test_a_common_hiv_test_is_not_shown_under_a_consent_that_does_not_name_hiv(
        client, hospital, patient, clock, loinc):
    """The HIV table lists 7 LOINC codes; the everyday screening tests are missing, so a
    caregiver (or a hospital) with a plain lab consent reads the patient's HIV test."""
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["lab"], purpose="caregiving")
    push(client, hospital, bundle(lab_result(patient.national_id, "hiv-test", code=loinc)))
    page = shared_records(client, carer, owner_id(client, patient))
    assert page.status_code == 200
    assert page.json["items"] == []  # the HIV test was listed


def caregiver_sees(client, hospital, patient, clock, resource) -> list:
    """The ids a caregiver with a plain lab consent (no sensitive kind named) reads."""
    carer = factories.signed_in_patient(client, hospital, clock)
    granted = grant(client, patient, {"type": "person", "national_id": carer.national_id},
                    ["lab"], purpose="caregiving")
    assert granted.status_code == 201, granted.json
    push(client, hospital, bundle(resource))
    page = client.get(f"/v1/me/shared-with-me/{owner_id(client, patient)}/records",
                      headers=carer.auth)
    assert page.status_code == 200, page.json
    return [r["resource"]["id"] for r in page.json["items"]]


@pytest.mark.parametrize("loinc", [
    "29541-0",  # HIV 1 RNA [Log #/volume] (viral load) in Plasma by NAA with probe detection
    "70241-5",  # HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection
    "44871-2",  # HIV 1 proviral DNA [Presence] in Blood by NAA with probe detection
])
def test_an_hiv_viral_load_coded_without_display_is_not_shown_under_a_plain_lab_consent(
        client, hospital, patient, clock, loinc):
    """A viral load is measured only in people living with HIV: shown, it states the diagnosis.
    `display` is optional in FHIR, so the words cannot save a code-only coding: the table must."""
    resource = lab_result(patient.national_id, "hiv-vl", code=loinc)
    del resource["code"]["coding"][0]["display"]
    assert caregiver_sees(client, hospital, patient, clock, resource) == []


@pytest.mark.parametrize("display", [
    "HIV1 RNA # SerPl NAA+probe",   # LOINC short name of 20447-9
    "HIV1+2 Ab SerPl Ql",           # LOINC short name style of the screening tests
    "HIV2 Ab SerPl Ql IB",
])
def test_an_hiv_test_named_as_loinc_short_names_name_it_is_labelled(
        client, hospital, patient, clock, display):
    """A hospital's local code with the LOINC short name as display ("HIV1", "HIV2": no word
    boundary after the V) is labelled by its words."""
    resource = lab_result(patient.national_id, "hiv-local")
    resource["code"] = {"coding": [{"system": "urn:oid:1.2.3.4.local-lab", "code": "L-7781",
                                    "display": display}]}
    assert caregiver_sees(client, hospital, patient, clock, resource) == []
