"""The patient reads their records: from every hospital in one list, one record with its
history, everything as a FHIR collection. Every query is keyed by the patient id the caller
passes (the token's subject); another patient's record is simply not found."""
import json
from datetime import datetime

from services import fhir, paging, patients, sealing
from services.errors import NotFound

MAX_PAGE = 100
_CURSOR_CONTEXT = "records:cursor"


def list_for(ctx, patient_id: str, *, category: str | None = None, since: datetime | None = None,
             cursor: str | None = None, limit: int = 50) -> dict:
    """{"items", "next_cursor"}: newest first (clinical time), `since` compares the time
    a record or its newest version arrived here. Raises InvalidInput for a bad cursor."""
    docs, next_cursor = page(ctx, patient_id, cursor_scope("own", patient_id, category, since),
                             categories=[category] if category else None, since=since,
                             cursor=cursor, limit=limit)
    items = views(ctx, docs)
    ctx.audit.record("records.list", actor=_self(patient_id), patient_id=patient_id,
                     target={"count": len(items)})
    return {"items": items, "next_cursor": next_cursor}


def page(ctx, patient_id: str, scope: str, *, categories=None, since=None, cursor=None,
         limit: int = 50, exclude_hospital: str | None = None) -> tuple[list[dict], str | None]:
    """A page of the patient's stored records (not yet opened) and the next cursor, good only
    for the list `scope` names (cursor_scope). Raises InvalidInput for a bad cursor."""
    return paging.page(
        lambda after, n: ctx.repos.records.for_patient(patient_id, categories=categories,
                                                       since=since, after=after, limit=n,
                                                       exclude_hospital=exclude_hospital),
        positions(ctx, scope), cursor, limit, MAX_PAGE)


def views(ctx, docs: list[dict]) -> list[dict]:
    names = _hospital_names(ctx, docs)
    return [view(ctx, doc, names) for doc in docs]


def get(ctx, patient_id: str, record_id: str) -> dict:
    """One record of this patient with every version (oldest first). Raises NotFound, also for
    another patient's record."""
    doc = ctx.repos.records.get_for_patient(patient_id, record_id)
    if doc is None or not doc.get("version"):
        raise NotFound("No such record.")
    history = [{"version": v["version"], "received_at": v["received_at"],
                "resource": ctx.cipher.decrypt_json(v["resource"], sealing.version(v))}
               for v in ctx.repos.records.versions_of(record_id)]
    ctx.audit.record("records.read", actor=_self(patient_id), patient_id=patient_id,
                     target={"record_id": record_id})
    return {**view(ctx, doc, _hospital_names(ctx, [doc])), "history": history}


def export(ctx, patient_id: str) -> dict:
    """Everything about the patient as a FHIR R4 collection Bundle: a Patient resource and the
    latest version of every record, as its author sent it but linked inside the bundle (ids
    and references, fhir.collection_bundle)."""
    person = patients.person_of(ctx, patient_id)
    records = [fhir.ExportedRecord(doc["_id"], (doc.get("hospital_id"), doc.get("author")),
                                   ctx.cipher.decrypt_json(doc["resource"], sealing.record(doc)))
               for doc in ctx.repos.records.all_for_patient(patient_id) if doc.get("version")]
    ctx.audit.record("records.export", actor=_self(patient_id), patient_id=patient_id,
                     target={"count": len(records)})
    return fhir.collection_bundle(patient_id, _patient_resource(person), records)


def view(ctx, doc: dict, hospital_names: dict) -> dict:
    return {"id": doc["_id"], "category": doc.get("category"),
            "resource_type": doc["resource_type"], "hospital_id": doc.get("hospital_id"),
            "hospital_name": hospital_names.get(doc.get("hospital_id")),
            "source": "hospital" if doc.get("hospital_id") else "patient",
            "effective_at": doc.get("effective_at"), "issued_at": doc.get("issued_at"),
            "received_at": doc["created_at"], "updated_at": doc.get("updated_at"),
            "version": doc["version"],
            "summary": ctx.cipher.decrypt_json(doc["summary"], sealing.summary(doc)),
            "resource": ctx.cipher.decrypt_json(doc["resource"], sealing.record(doc))}


def _self(patient_id: str) -> dict:
    return {"type": "patient", "id": patient_id}


def _hospital_names(ctx, docs: list[dict]) -> dict:
    ids = {d["hospital_id"] for d in docs if d.get("hospital_id")}
    return ctx.repos.hospitals.names(ids) if ids else {}


def _patient_resource(person: dict) -> dict:
    resource = {"resourceType": "Patient",
                "identifier": [{"system": fhir.NATIONAL_ID_SYSTEM, "value": person["national_id"]}]}
    if person.get("name"):
        resource["name"] = [{"text": person["name"]}]
    if person.get("birth_date"):
        resource["birthDate"] = person["birth_date"]
    return resource


def cursor_scope(*parts) -> str:
    """The list a cursor belongs to: whose records, read by whom and for what, filtered how.
    A cursor is sealed under it, so one replayed on another list (a caregiver's own, another
    patient's, another category) is refused instead of telling where its record sits there."""
    return json.dumps([part.isoformat() if isinstance(part, datetime) else part
                       for part in parts])


def positions(ctx, scope: str) -> paging.Positions:
    """Newest first by clinical time. Cursors are sealed: a position names a record and its
    clinical date, which a caregiver or hospital must not learn of a record the consent hides;
    and sealed under the list's scope, so one replayed on another list is refused."""
    return paging.Positions(time="sort_at", seal=(ctx.cipher, f"{_CURSOR_CONTEXT}:{scope}"))
