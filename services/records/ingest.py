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

from security.codes import opaque_id
from services import fhir, patients, sealing
from services.records import storing
from services.records.storing import ANOTHER_PATIENT, record_key
from services.operations import notify
from services.errors import Conflict, IdempotencyKeyReused, InvalidInput, TransactionRejected, \
    redact

# Sealed, base64 and the record's other fields must fit MongoDB's 16 MiB document limit.
MAX_RESOURCE_BYTES = 11 * 2**20


def ingest(ctx, hospital_id: str, body, body_hash: str, idempotency_key: str | None) -> dict:
    """The FHIR batch-response (or transaction-response) Bundle. Raises InvalidInput for a body
    that is no acceptable bundle, TransactionRejected, IdempotencyKeyReused, or Conflict while
    the same key is being processed."""
    if not idempotency_key:
        return _ingest(ctx, hospital_id, body)
    key_id = ctx.peppered_hash("idempotency", f"{hospital_id}\x00{idempotency_key}")
    body_hash = ctx.peppered_hash("bundle-body", body_hash)  # stored: keyed, like content hashes
    holder, existing = ctx.repos.ingest_requests.claim(key_id, body_hash)
    if existing is not None:
        return _earlier_answer(ctx, key_id, existing, body_hash)
    try:
        answer = _ingest(ctx, hospital_id, body)
        # Inside the try: an answer that fails to be saved frees the key too, or every retry
        # would hear 409 "still being processed" until the lease ran out.
        ctx.repos.ingest_requests.finish(
            key_id, holder, ctx.cipher.encrypt_json(answer, sealing.ingest_answer(key_id)), 200)
    except Exception:
        ctx.repos.ingest_requests.release(key_id, holder)
        raise
    return answer


def _earlier_answer(ctx, key_id: str, existing: dict, body_hash: str) -> dict:
    if existing["body_hash"] != body_hash:
        raise IdempotencyKeyReused()
    if existing["state"] != "done":
        raise Conflict("A push with this Idempotency-Key is still being processed; retry later.")
    return ctx.cipher.decrypt_json(existing["answer"], sealing.ingest_answer(key_id))


def _ingest(ctx, hospital_id: str, body) -> dict:
    parsed = _parse(ctx, body)
    for candidate in parsed.candidates:
        _refuse_if_too_large(candidate)
    if parsed.bundle_type == "transaction":
        _check_transaction(ctx, hospital_id, parsed.candidates)
    to_store = [c for c in parsed.candidates if c.status == fhir.OK]
    # Everyone named, ensured at once: their ids, and their names where they are new.
    patient_ids = patients.ensure_many(
        ctx, [(p.national_id, p.name, p.birth_date) for p in parsed.patients]
        + [(c.national_id, None, None) for c in to_store])
    bundle_id = opaque_id("bun")
    # Recorded before anything is stored: a push that fails halfway is still on the trail.
    ctx.audit.record_many([
        {"action": "records.push", "actor": {"type": "hospital", "id": hospital_id},
         "patient_id": patient_id, "target": {"bundle_id": bundle_id, "count": count}}
        for patient_id, count in Counter(patient_ids[c.national_id] for c in to_store).items()])
    stored = storing.store_many(ctx, hospital_id, to_store, bundle_id, patient_ids,
                                _known_records(ctx, hospital_id, to_store))
    entries, told = [], []
    for candidate in parsed.candidates:
        entry, news_for = stored.get(candidate.index) or _not_stored(candidate)
        entries.append(entry)
        # Told once a record or version of theirs is stored, not for a push recognised as
        # stored already (a retry) or refused: "new results" means new results.
        if news_for is not None and news_for not in told:
            told.append(news_for)
    notify.notify_each(ctx, told, "record_available")
    return fhir.response_bundle(parsed.bundle_type, entries)


def _parse(ctx, body):
    """Raises InvalidInput for a body that is no acceptable batch or transaction Bundle."""
    try:
        return fhir.parse_bundle(body, max_entries=ctx.setting("BUNDLE_MAX_ENTRIES"),
                                 max_attachment_bytes=ctx.setting("ATTACHMENT_MAX_BYTES"))
    except fhir.BundleRejected as rejected:
        raise InvalidInput("The body is not an acceptable FHIR Bundle.",
                           errors={"bundle": [redact(i) for i in rejected.issues]}) from None


def _refuse_if_too_large(candidate) -> None:
    """A resource whose sealed form would not fit a MongoDB document (16 MiB) is an invalid
    entry, refused before anything of it is stored."""
    if candidate.status == fhir.OK and len(json.dumps(candidate.resource)) > MAX_RESOURCE_BYTES:
        candidate.status = fhir.INVALID
        candidate.issues = [f"The resource is larger than {MAX_RESOURCE_BYTES // 2**20} MiB once "
                            "serialised; send large attachments by url."]


def _check_transaction(ctx, hospital_id: str, candidates: list) -> None:
    """A transaction is stored whole or not at all: raises TransactionRejected, before anything
    is stored, for invalid entries or a resource id that names another patient's record. Two
    queries whatever the number of entries: the bundle's known records and its patients."""
    failed = {c.index: c.issues for c in candidates if c.status == fhir.INVALID}
    for c in _owned_by_another(ctx, hospital_id, [c for c in candidates if c.status == fhir.OK]):
        failed[c.index] = [ANOTHER_PATIENT]
    if failed:
        raise TransactionRejected(
            fhir.operation_outcome([redact(f"entry[{i}]: {issue}") for i, issues in
                                    sorted(failed.items()) for issue in issues]),
            errors={f"entry[{i}]": [redact(x) for x in issues] for i, issues in failed.items()})


def _owned_by_another(ctx, hospital_id: str, candidates: list) -> list:
    """The candidates whose record exists under a patient other than the one they name."""
    known = _known_records(ctx, hospital_id, candidates)
    hashes = {c.national_id: patients.national_id_hash(ctx, c.national_id) for c in candidates}
    ids = ctx.repos.patients.ids_by_national_id_hash(list(hashes.values())) if known else {}
    owned = []
    for c in candidates:
        key = record_key(ctx, hospital_id, c)
        record = known.get((key["resource_type"], key["source_key"]))
        if record is not None and record["patient_id"] != ids.get(hashes[c.national_id]):
            owned.append(c)
    return owned


def _known_records(ctx, hospital_id: str, candidates: list) -> dict:
    """The bundle's records that exist already, by (resource type, source key), read with one
    query rather than one per entry (on the embedded database every query scans the records)."""
    if not candidates:
        return {}
    keys = [record_key(ctx, hospital_id, c) for c in candidates]
    types = sorted({k["resource_type"] for k in keys})
    source_keys = sorted({k["source_key"] for k in keys})
    return {(d["resource_type"], d["source_key"]): d
            for d in ctx.repos.records.records_of_hospital(hospital_id, types, source_keys)}


def _not_stored(candidate) -> tuple[dict, None]:
    """The outcome of an entry that is invalid, or of a resource type we do not keep."""
    if candidate.status == fhir.INVALID:
        return {"status": "400 Bad Request",
                "outcome": fhir.operation_outcome([redact(i) for i in candidate.issues])}, None
    return {"status": "200 OK", "outcome": fhir.operation_outcome(
        [redact(i) for i in candidate.issues], severity="information",
        code="informational")}, None
