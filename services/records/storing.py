"""Storing records: each resource is its record's next version (or recognised as stored
already), keyed by the hospital's own id (or, for what a patient records, by its author).

store_many stores a bundle's worth with a fixed number of writes whatever its size (the new
records in one insert, their versions in one, the records moved to them in one bulk write);
store_resource stores one, and takes over where a parallel push won a race. Either way a record
exists at version 0 before its version is written, and shows a version only once it is stored:
a push that stops halfway leaves nothing a reader sees half-done."""
import json

from security.codes import opaque_id
from services import fhir, sealing

ANOTHER_PATIENT = ("This resource id is already used for another patient; push the correction "
                   "under a new id.")


def store_many(ctx, hospital_id: str, candidates: list, bundle_id: str, patient_ids: dict,
               known: dict) -> dict:
    """Store the hospital's valid candidates: {candidate index: (the entry's outcome, the
    patient's id when something new of theirs was stored, else None)}. `known`: the bundle's
    records read beforehand (by (resource type, source key)). A key met again in the same
    bundle, and a record a parallel push changed meanwhile, go through store_resource after."""
    first, later, seen = [], [], set()
    for c in candidates:
        key = record_key(ctx, hospital_id, c)
        slot = (key["resource_type"], key["source_key"])
        (later if slot in seen else first).append((c, key, slot))
        seen.add(slot)
    records, lost = _records_for(ctx, first, patient_ids, known)
    results, plans = {}, []
    for c, key, slot in first:
        if slot not in records:
            continue
        record, patient_id = records[slot], patient_ids[c.national_id]
        content_hash = content_hash_of(ctx, c.resource)
        if record["patient_id"] != patient_id:
            results[c.index] = (_conflict(), None)
        elif record["version"] and record.get("content_hash") == content_hash:
            results[c.index] = (stored_outcome(c, record["version"], "200 OK"), None)
        else:
            plans.append((c, key, slot, record, record["version"] + 1, content_hash))
    added = ctx.repos.records.add_versions([
        (record, number, _sealed_version(ctx, c, record, number), content_hash, bundle_id)
        for c, _, _, record, number, content_hash in plans])
    moves = []
    for c, key, slot, record, number, content_hash in plans:
        if (record["_id"], number) not in added:
            lost.append((c, key, slot))  # a parallel amendment took the number
            continue
        moves.append((record["_id"], number, _list_fields(ctx, record, c, content_hash)))
        results[c.index] = (stored_outcome(c, number, "201 Created" if number == 1 else "200 OK"),
                            record["patient_id"])
    ctx.repos.records.advance_many(moves)
    for c, _, _ in lost + later:
        patient_id = patient_ids[c.national_id]
        outcome, _, stored = store_resource(ctx, hospital_id, patient_id, c, bundle_id)
        results[c.index] = (outcome, patient_id if stored else None)
    return results


def _records_for(ctx, first: list, patient_ids: dict, known: dict) -> tuple[dict, list]:
    """The record of each first-met key, the new ones inserted in one write: ({slot: record},
    [the entries whose new record a parallel push created first])."""
    new = {slot: {"_id": opaque_id("rec"), **key, "patient_id": patient_ids[c.national_id]}
           for c, key, slot in first if slot not in known}
    inserted = ctx.repos.records.create_records(list(new.values()))
    records = {slot: record for slot, record in known.items() if record is not None}
    lost = []
    for c, key, slot in first:
        if slot in new and new[slot]["_id"] in inserted:
            records[slot] = {**new[slot], "version": 0}
        elif slot in new:
            lost.append((c, key, slot))
    return records, lost


def _conflict() -> dict:
    return {"status": "409 Conflict",
            "outcome": fhir.operation_outcome([ANOTHER_PATIENT], code="conflict")}


def _sealed_version(ctx, candidate, record: dict, number: int) -> str:
    return ctx.cipher.encrypt_json(candidate.resource, sealing.version(
        {**record, "version": number, "record_id": record["_id"]}))


def record_key(ctx, hospital_id: str | None, candidate, author: str | None = None) -> dict:
    # The hospital's own id may carry a medical record number: only its keyed hash is stored.
    key = {"hospital_id": hospital_id, "resource_type": candidate.resource_type,
           "source_key": ctx.peppered_hash("source-id", candidate.source_id)}
    if author:
        key["author"] = author
    return key


def store_resource(ctx, hospital_id: str | None, patient_id: str, candidate, bundle_id: str | None,
                   author: str | None = None,
                   new_id: str | None = None) -> tuple[dict, str, bool]:
    """Store the candidate as its record's next version (or recognise it as stored already):
    (the entry's outcome, the record id, whether the record now shows a version it did not).
    A hospital's record is keyed by its own id; a patient's by `author`. `new_id` the id a new
    record gets (a caller that records it on the audit trail before storing), random by
    default."""
    record = ctx.repos.records.ensure_record(new_id or opaque_id("rec"),
                                             record_key(ctx, hospital_id, candidate, author),
                                             {"patient_id": patient_id})
    if record["patient_id"] != patient_id:
        return _conflict(), record["_id"], False
    content_hash = content_hash_of(ctx, candidate.resource)
    if record["version"] and record.get("content_hash") == content_hash:
        return stored_outcome(candidate, record["version"], "200 OK"), record["_id"], False
    number = record["version"] + 1
    while True:  # a parallel amendment may take a number first
        sealed = _sealed_version(ctx, candidate, record, number)
        if ctx.repos.records.add_version(record, number, sealed, content_hash, bundle_id):
            break
        if ctx.repos.records.version(record["_id"], number)["content_hash"] == content_hash:
            break  # stored by a parallel push of the same content, or before a crash
        number += 1
    ctx.repos.records.advance(record["_id"], number,
                              _list_fields(ctx, record, candidate, content_hash))
    status = "201 Created" if number == 1 else "200 OK"
    return stored_outcome(candidate, number, status), record["_id"], True


def _list_fields(ctx, record: dict, candidate, content_hash: str) -> dict:
    sort_at = candidate.effective_at or candidate.issued_at or ctx.now()
    return {"category": candidate.category, "effective_at": candidate.effective_at,
            "issued_at": candidate.issued_at, "sort_at": sort_at, "content_hash": content_hash,
            "resource": ctx.cipher.encrypt_json(candidate.resource, sealing.record(record)),
            "summary": ctx.cipher.encrypt_json(candidate.summary, sealing.summary(record))}


def stored_outcome(candidate, number: int, status: str) -> dict:
    return {"status": status, "etag": f'W/"{number}"',
            "location": f"{candidate.resource_type}/{candidate.source_id}/_history/{number}"}


def content_hash_of(ctx, resource: dict) -> str:
    """Keyed: a plain hash next to clear dates and ids would let anyone holding a copy of the
    database confirm guessed clinical values."""
    canonical = json.dumps(resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return ctx.peppered_hash("content", canonical)
