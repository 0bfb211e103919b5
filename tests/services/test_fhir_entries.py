"""services.fhir: entries that cannot be taken, bundles refused as a whole, attachment limits."""
import base64

import pytest

from services.errors import InvalidInput
from services.fhir import BundleRejected, parse_bundle
from tests.services.fhir_builders import entry, minimal, named, observation, only, parse


# -- Entries that cannot be taken -----------------------------------------------------------

@pytest.mark.parametrize("change, where", [
    (lambda r: r.pop("status"), "Observation.status:"),
    (lambda r: r.update(text={"status": "generated"}), "Observation.text.div:"),
    (lambda r: r.update(effectiveDateTime="2024-03-01T10:00:00"), "Observation.effectiveDateTime:"),
    (lambda r: r.update(colour="red"), "Observation.colour:"),
    (lambda r: r.update(component=[{"valueString": "x"}]), "Observation.component[0].code:"),
])
def test_strictly_invalid_resource_is_an_invalid_entry_while_the_others_stay_ok(change, where):
    bad = observation("bad")
    change(bad)
    parsed = parse(entry(observation("o1")), entry(bad), entry(observation("o2")))
    assert [c.status for c in parsed.candidates] == ["ok", "invalid", "ok"]
    issues = parsed.candidates[1].issues
    assert any(issue.startswith(where) for issue in issues), issues
    assert all(len(issue) < 300 and "\n" not in issue for issue in issues)


def test_a_resource_with_many_faults_gets_a_bounded_list_of_issues():
    bad = observation(**{f"made_up_{i}": i for i in range(40)})
    issues = only(bad).issues
    assert len(issues) == 11 and issues[-1] == "... and 30 more problems"


@pytest.mark.parametrize("item, words", [
    ("not an object", "not a JSON object"),
    ({"fullUrl": "urn:uuid:x"}, "has no resource"),
    ({"resource": {"id": "x"}}, "has no resourceType"),
    ({"resource": {"resourceType": "Foo", "id": "x"}}, "'Foo' is not a FHIR R4 resource type"),
    ({"resource": {"resourceType": "Quantity", "value": 1}}, "not a FHIR R4 resource type"),
    ({"resource": {"resourceType": "DomainResource"}}, "not a FHIR R4 resource type"),
    ({"request": {"method": "DELETE", "url": "Observation/o1"}}, "'DELETE' is not taken"),
    (entry(observation(), method="GET"), "'GET' is not taken"),
])
def test_unreadable_entries_are_invalid(item, words):
    [candidate] = parse(item).candidates
    assert candidate.status == "invalid" and words in candidate.issues[0]


def test_record_without_an_id_is_invalid():
    resource = observation()
    del resource["id"]
    assert "Observation.id is missing" in only(resource).issues[0]
    assert "longer than 64" in only(observation("a" * 65)).issues[0]


def test_put_must_name_the_resource_it_carries():
    put = entry(observation("o1"), method="PUT")
    put["request"]["url"] = "Observation/o2"
    assert "does not name this resource" in parse(put).candidates[0].issues[0]
    put["request"]["url"] = "Observation/o1"
    assert parse(put).candidates[0].status == "ok"


def test_types_we_do_not_store_are_not_stored_and_not_validated():
    parsed = parse(entry({"resourceType": "Organization", "id": "h", "made_up": 1}),
                   entry({"resourceType": "MedicinalProduct", "id": "m"}),  # R4 only, not R4B
                   entry({"resourceType": "Provenance"}))
    assert [c.status for c in parsed.candidates] == ["not_stored"] * 3
    assert "Organization is not a record type" in parsed.candidates[0].issues[0]


def test_a_bundle_holds_one_version_of_a_resource():
    parsed = parse(entry(observation("o1")), entry(observation("o1")), entry(minimal("Condition", "o1")))
    assert [c.status for c in parsed.candidates] == ["ok", "invalid", "ok"]
    assert "entry 0 already carries Observation/o1" in parsed.candidates[1].issues[0]


@pytest.mark.parametrize("where", ["value", "key", "full_url", "claim"])
def test_lone_surrogate_anywhere_in_an_entry_makes_it_invalid(where):
    resource = observation(valueString="fine")
    item = entry(resource, "urn:uuid:o1")
    if where == "value":
        resource["valueString"] = "bad \ud800 text"
    elif where == "key":
        resource["note"] = [{"text": "x", "\udc00": 1}]
    elif where == "full_url":
        item["fullUrl"] = "urn:uuid:\udfff"
    else:
        item = entry({"resourceType": "Claim", "id": "c1", "status": "active\ud83d"})
    [candidate] = parse(item).candidates
    assert candidate.status == "invalid" and "not valid Unicode" in candidate.issues[0]
    assert candidate.resource is None and candidate.full_url in (None, "urn:uuid:o1")


def test_deeply_nested_resource_is_invalid_not_a_crash():
    extension = {"url": "http://x.example/e", "valueString": "x"}
    for _ in range(900):
        extension = {"url": "http://x.example/e", "extension": [extension]}
    issues = only(observation(extension=[extension])).issues
    assert "nests too deeply" in issues[0]


# -- Bundles refused as a whole --------------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    ([], "must be a FHIR Bundle"),
    ("Bundle", "must be a FHIR Bundle"),
    (observation(), "must be a FHIR Bundle"),
    ({"resourceType": "Bundle", "type": "collection", "entry": [entry(observation())]},
     "Bundle.type must be \"batch\" or \"transaction\", not 'collection'"),
    ({"resourceType": "Bundle", "entry": [entry(observation())]}, "Bundle.type is missing"),
    ({"resourceType": "Bundle", "type": 7, "entry": [entry(observation())]}, "not 7"),
    ({"resourceType": "Bundle", "type": "batch"}, "Bundle.entry must be a list"),
    ({"resourceType": "Bundle", "type": "batch", "entry": []}, "one or more entries"),
    ({"resourceType": "Bundle", "type": "batch", "entry": {"resource": {}}}, "must be a list"),
    ({"resourceType": "Bundle", "type": "batch", "entry": [entry(observation(str(i)))
                                                          for i in range(4)]},
     "4 entries, more than the 3 taken at once"),
])
def test_bundle_refused_as_a_whole(body, words):
    with pytest.raises(BundleRejected) as refusal:
        parse_bundle(body, max_entries=3, max_attachment_bytes=10)
    assert any(words in issue for issue in refusal.value.issues), refusal.value.issues
    assert isinstance(refusal.value, InvalidInput) and refusal.value.errors == {
        "bundle": refusal.value.issues}


def test_bundle_at_the_entry_limit_is_taken():
    assert len(parse(*[entry(observation(str(i))) for i in range(3)], kind="transaction",
                     max_entries=3).candidates) == 3


# -- Attachments -----------------------------------------------------------------------------

def document(*attachments, resource_type="DocumentReference") -> dict:
    if resource_type == "DiagnosticReport":
        return {"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
                "code": {"text": "CT head"}, "subject": named(), "presentedForm": list(attachments)}
    return minimal("DocumentReference", content=[{"attachment": a} for a in attachments])


@pytest.mark.parametrize("resource_type", ["DocumentReference", "DiagnosticReport"])
def test_inline_attachment_limit_at_its_edge(resource_type):
    at_limit = {"contentType": "application/pdf", "data": base64.b64encode(b"x" * 1000).decode()}
    over = {"contentType": "application/pdf", "data": base64.b64encode(b"x" * 1001).decode()}
    assert only(document(at_limit, resource_type=resource_type), max_bytes=1000).status == "ok"
    candidate = only(document(at_limit, over, resource_type=resource_type), max_bytes=1000)
    assert candidate.status == "invalid"
    assert "[1]" in candidate.issues[0] and "decodes to 1001 bytes" in candidate.issues[0]


def test_attachment_by_url_has_no_size_limit():
    by_url = {"contentType": "application/dicom", "url": "https://pacs.example/s/1", "size": 10 ** 9}
    assert only(document(by_url), max_bytes=1).status == "ok"


def test_attachment_data_that_is_not_base64_is_invalid():
    issues = only(document({"contentType": "text/plain", "data": "abcde"})).issues
    assert issues[0].startswith("DocumentReference.content[0].attachment.data:")
