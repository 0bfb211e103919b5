"""Hospitals push FHIR bundles: each stored resource becomes a record (or a new version of it),
for the patient its national ID names, whether or not that patient has registered yet.

- `batch`: every valid entry is stored, whatever the others; one outcome per entry.
- `transaction`: nothing is stored unless every entry is valid (resources we do not keep, such
  as Claim, are no failure).
- `Idempotency-Key`: the same key with the same body answers the same again and stores nothing
  twice; with another body it is refused. Without a key a retry is still safe: a resource
  pushed again with the same content is recognised and stored once.
- The hospital's own resource id identifies a record: the same type and id again is an
  amendment (a new version); one hospital never touches another's records.
"""
import json
from collections import Counter

from models import ingest_requests
from models.db import utcnow
from models import records as store
from security.codes import opaque_id
from services import audit, fhir, patients
from services.context import cipher, peppered_hash, setting
from services.errors import Conflict, IdempotencyKeyReused, InvalidInput, TransactionRejected


def ingest(hospital_id: str, body, body_hash: str, idempotency_key: str | None) -> dict:
    """The FHIR batch-response (or transaction-response) Bundle. Raises InvalidInput for a body
    that is no acceptable bundle, TransactionRejected, IdempotencyKeyReused, or Conflict while
    the same key is being processed."""
    if not idempotency_key:
        return _ingest(hospital_id, body)
    key_id = peppered_hash("idempotency", f"{hospital_id}\x00{idempotency_key}")
    body_hash = peppered_hash("bundle-body", body_hash)  # stored: keyed, like content hashes
    existing = ingest_requests.claim(key_id, body_hash)
    if existing is not None:
        return _earlier_answer(key_id, existing, body_hash)
    try:
        answer = _ingest(hospital_id, body)
    except Exception:
        ingest_requests.release(key_id)
        raise
    ingest_requests.finish(key_id, cipher().encrypt_json(answer, _answer_context(key_id)), 200)
    return answer


def _earlier_answer(key_id: str, existing: dict, body_hash: str) -> dict:
    if existing["body_hash"] != body_hash:
        raise IdempotencyKeyReused()
    if existing["state"] != "done":
        raise Conflict("A push with this Idempotency-Key is still being processed; retry later.")
    return cipher().decrypt_json(existing["answer"], _answer_context(key_id))


def _ingest(hospital_id: str, body) -> dict:
    try:
        parsed = fhir.parse_bundle(body, max_entries=setting("BUNDLE_MAX_ENTRIES"),
                                   max_attachment_bytes=setting("ATTACHMENT_MAX_BYTES"))
    except fhir.BundleRejected as rejected:
        raise InvalidInput("The body is not an acceptable FHIR Bundle.",
                           errors={"bundle": rejected.issues}) from None
    invalid = [c for c in parsed.candidates if c.status == "invalid"]
    if parsed.bundle_type == "transaction" and invalid:
        raise TransactionRejected(
            fhir.operation_outcome([f"entry[{c.index}]: {issue}" for c in invalid
                                    for issue in c.issues]),
            errors={f"entry[{c.index}]": c.issues for c in invalid})
    for info in parsed.patients:
        patients.ensure(info.national_id, info.name, info.birth_date)
    bundle_id, patient_ids = opaque_id("bun"), {}
    entries = [_entry_outcome(hospital_id, c, bundle_id, patient_ids) for c in parsed.candidates]
    stored = Counter(patient_ids[c.national_id] for c, e in zip(parsed.candidates, entries)
                     if c.national_id in patient_ids and e["status"][0] == "2")
    for patient_id, count in stored.items():  # what each patient's access log shows
        audit.record("records.push", actor={"type": "hospital", "id": hospital_id},
                     patient_id=patient_id, target={"bundle_id": bundle_id, "count": count})
    return fhir.response_bundle(parsed.bundle_type, entries)


def _entry_outcome(hospital_id: str, candidate, bundle_id: str, patient_ids: dict) -> dict:
    if candidate.status == "invalid":
        return {"status": "400 Bad Request", "outcome": fhir.operation_outcome(candidate.issues)}
    if candidate.status == "not_stored":
        return {"status": "200 OK", "outcome": fhir.operation_outcome(
            candidate.issues, severity="information", code="informational")}
    national_id = candidate.national_id
    if national_id not in patient_ids:
        patient_ids[national_id] = patients.ensure(national_id)
    return store_resource(hospital_id, patient_ids[national_id], candidate, bundle_id)[0]


def store_resource(hospital_id: str | None, patient_id: str, candidate, bundle_id: str | None,
                   author: str | None = None) -> tuple[dict, str]:
    """Store the candidate as its record's next version (or recognise it as stored already):
    (the entry's outcome, the record id). A hospital's record is keyed by its own id; a
    patient's by `author`."""
    # The hospital's own id may carry a medical record number: only its keyed hash is stored.
    key = {"hospital_id": hospital_id, "resource_type": candidate.resource_type,
           "source_key": peppered_hash("source-id", candidate.source_id)}
    if author:
        key["author"] = author
    record = store.ensure_record(opaque_id("rec"), key, {"patient_id": patient_id})
    if record["patient_id"] != patient_id:
        return {"status": "409 Conflict", "outcome": fhir.operation_outcome(
            ["This resource id is already used for another patient; push the correction "
             "under a new id."], code="conflict")}, record["_id"]
    content_hash = _content_hash(candidate.resource)
    if record["version"] and record.get("content_hash") == content_hash:
        return _stored(candidate, record["version"], "200 OK"), record["_id"]
    number = record["version"] + 1
    while True:  # a parallel amendment may take a number first
        sealed = cipher().encrypt_json(candidate.resource,
                                       version_context({**record, "version": number,
                                                        "record_id": record["_id"]}))
        if store.add_version(record, number, sealed, content_hash, bundle_id):
            break
        if store.version(record["_id"], number)["content_hash"] == content_hash:
            break  # stored by a parallel push of the same content, or before a crash
        number += 1
    store.advance(record["_id"], number, _list_fields(record, candidate, content_hash))
    return _stored(candidate, number, "201 Created" if number == 1 else "200 OK"), record["_id"]


def _list_fields(record: dict, candidate, content_hash: str) -> dict:
    sort_at = candidate.effective_at or candidate.issued_at or utcnow()
    return {"category": candidate.category, "effective_at": candidate.effective_at,
            "issued_at": candidate.issued_at, "sort_at": sort_at, "content_hash": content_hash,
            "resource": cipher().encrypt_json(candidate.resource, record_context(record)),
            "summary": cipher().encrypt_json(candidate.summary, summary_context(record))}


def _stored(candidate, number: int, status: str) -> dict:
    return {"status": status, "etag": f'W/"{number}"',
            "location": f"{candidate.resource_type}/{candidate.source_id}/_history/{number}"}


def _content_hash(resource: dict) -> str:
    """Keyed: a plain hash next to clear dates and ids would let anyone holding a copy of the
    database confirm guessed clinical values."""
    canonical = json.dumps(resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return peppered_hash("content", canonical)


# The associated data of sealed record content names the record's patient and hospital too: a
# record re-pointed to another patient in the database no longer opens.
def record_context(record: dict) -> str:
    return f"records:{record['_id']}:{record['patient_id']}:{record.get('hospital_id')}:resource"


def summary_context(record: dict) -> str:
    return f"records:{record['_id']}:{record['patient_id']}:{record.get('hospital_id')}:summary"


def version_context(version: dict) -> str:
    return (f"record_versions:{version['record_id']}:{version['version']}:"
            f"{version['patient_id']}:{version.get('hospital_id')}:resource")


def _answer_context(key_id: str) -> str:
    return f"ingest_requests:{key_id}:answer"
