"""Patients as people: their national ID (looked up by a keyed hash, never stored in the
clear), their personal values (sealed with AES-256-GCM, each bound to its patient and field), the
profile they see, their signed-in devices and their access log."""
from models import accounts, patients
from security.codes import opaque_id
from services import sealing
from services.audit import recorder
from services.signin import sessions
from services.errors import NotFound


def national_id_hash(ctx, national_id: str) -> str:
    """The blind index of a national ID: equal IDs give equal hashes, and without HASH_PEPPER
    the 10^12 possible IDs cannot be tried against it."""
    return ctx.peppered_hash("national-id", national_id)


def ensure(ctx, national_id: str, name: str | None = None, birth_date: str | None = None) -> str:
    """The patient's opaque id, creating the patient on first mention. A name or birth date the
    patient does not have yet is filled in; a known one is never overwritten."""
    new_id = opaque_id("pat")
    values = {"national_id": national_id, "name": name, "birth_date": birth_date}
    patient_id = ctx.repos.patients.ensure_patient(national_id_hash(ctx, national_id), new_id,
                                                   seal(ctx, new_id, values))
    if patient_id != new_id and (name or birth_date):
        ctx.repos.patients.set_missing(
            patient_id, seal(ctx, patient_id, {"name": name, "birth_date": birth_date}))
    return patient_id


def ensure_many(ctx, people: list[tuple[str, str | None, str | None]]) -> dict[str, str]:
    """ensure for every (national ID, name, birth date) at once: {national ID: patient id}, in
    a fixed number of round trips (one read, one insert of the new, one bulk fill of missing
    values; one more read only when a parallel push created some of them first)."""
    named: dict[str, tuple] = {}
    for national_id, name, birth_date in people:  # the first mention that names them wins
        known = named.get(national_id, (None, None))
        named[national_id] = (known[0] or name, known[1] or birth_date)
    hashes = {nid: national_id_hash(ctx, nid) for nid in named}
    ids = ctx.repos.patients.ids_by_national_id_hash(list(hashes.values()))
    new = {nid: opaque_id("pat") for nid, h in hashes.items() if h not in ids}
    inserted = ctx.repos.patients.insert_new([
        {"_id": new_id, "national_id_hash": hashes[nid],
         **seal(ctx, new_id, {"national_id": nid, "name": named[nid][0],
                              "birth_date": named[nid][1]})} for nid, new_id in new.items()])
    lost = [hashes[nid] for nid, new_id in new.items() if new_id not in inserted]
    ids.update({hashes[nid]: new_id for nid, new_id in new.items() if new_id in inserted})
    if lost:
        ids.update(ctx.repos.patients.ids_by_national_id_hash(lost))
    found = {nid: ids[h] for nid, h in hashes.items()}
    ctx.repos.patients.set_missing_many([
        (found[nid], seal(ctx, found[nid], {"name": name, "birth_date": birth_date}))
        for nid, (name, birth_date) in named.items()
        if (name or birth_date) and found[nid] not in inserted])
    return found


def find(ctx, national_id: str) -> dict | None:
    """The stored patient (sealed values and sign-in state) named by this national ID."""
    return ctx.repos.patients.find_by_national_id_hash(national_id_hash(ctx, national_id))


def person_of(ctx, patient_id: str) -> dict:
    """The personal values of the patient with this id. Raises NotFound."""
    patient = ctx.repos.patients.get(patient_id)
    if not patient:
        raise NotFound()
    return person(ctx, patient)


def seal(ctx, patient_id: str, values: dict) -> dict:
    """{field: sealed value} for the values that are set."""
    return {field: ctx.cipher.encrypt(value, sealing.patient(patient_id, field))
            for field, value in values.items() if value}


def person(ctx, patient: dict) -> dict:
    """The patient's personal values in the clear (None where unknown)."""
    return {field: ctx.cipher.decrypt(patient[field], sealing.patient(patient["_id"], field))
            if patient.get(field) else None for field in patients.SEALED_FIELDS}


def profile(ctx, patient_id: str) -> dict:
    """Raises NotFound when the account is gone; AuditUnavailable when the read cannot be
    recorded (then nothing is shown)."""
    patient = ctx.repos.accounts.get(accounts.PATIENT, patient_id)
    if not patient:
        raise NotFound()
    ctx.audit.record("profile.read", actor=_self(patient_id), patient_id=patient_id)
    return {"id": patient["_id"], **person(ctx, patient),
            "registered_at": patient.get("registered_at"),
            "recovery_codes_left": len(patient.get("recovery_code_hashes", []))}


def end_session(ctx, patient_id: str, session_id: str) -> None:
    """Sign one of the patient's devices out. Raises NotFound for anyone else's session, and
    AuditUnavailable (the device stays signed in) when the trail cannot take the entry."""
    if not sessions.is_active(ctx, session_id, patient_id):
        raise NotFound("No such session.")
    # On the trail before it takes effect (an effect without its entry does not happen).
    ctx.audit.record("session.end", actor=_self(patient_id), patient_id=patient_id,
                     target={"session_id": session_id})
    sessions.end(ctx, patient_id, session_id)


def access_log(ctx, patient_id: str, limit: int, cursor: str | None) -> dict:
    """Who read or changed the patient's data, newest first (services.audit.recorder.access_page).
    Raises InvalidInput for a cursor this API did not hand out."""
    return recorder.access_log(ctx, patient_id, limit=limit, before=cursor)


def _self(patient_id: str) -> dict:
    return {"type": "patient", "id": patient_id}
