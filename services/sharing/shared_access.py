"""Every read of a patient's records by someone other than the patient goes through here: the
consents are loaded, the pure engine decides per record (category, sensitive labels), and the
decision is on the audit trail with the consent and purpose.

- Caregivers (a person the patient named): `/v1/me/shared-with-me/...`, purpose caregiving.
- Hospitals: `POST /v1/hospital/records/search`, for the purpose they state, records from other
  hospitals only; the same 403 whether or not the patient exists.
"""
import re

import consent as engine
from services import patients, sealing
from services.operations import hospitals, notify
from services.records import reading
from services.sharing import representatives
from services.sharing.consents import as_signed, consents_between
from services.errors import Forbidden, NotFound

_NO_CONSENT = "There is no active consent of this patient for this access."
_MAX_BATCHES = 20
_BATCH = 50
_PATIENT_ID = re.compile(r"pat_[A-Za-z0-9_-]{1,64}")


def shared_with_me(ctx, me: str) -> list[dict]:
    """The patients who granted me (a person) a consent in force, or whose legal
    representative I am: id, name and what they let me see."""
    key = _my_key(ctx, me)
    now, found = ctx.now(), {}
    granted = as_signed(ctx, ctx.repos.consents.to_grantee(engine.PERSON, key))
    links = representatives.consents_to(ctx, key)
    for given in granted + links:
        if engine.standing(given, now) == engine.IN_FORCE:
            found.setdefault(given.patient_id, []).append(given)
    represented = {link.patient_id for link in links
                   if engine.standing(link, now) == engine.IN_FORCE}
    if found:  # each sharing patient's name is read: on each one's access log
        ctx.audit.record_many([{"action": "profile.read", "actor": {"type": "patient", "id": me},
                                "patient_id": patient_id,
                                "consent_id": min(c.id for c in consents)}
                               for patient_id, consents in sorted(found.items())])
    return [{**_shared_view(ctx, patient_id, consents),
             "legal_representative": patient_id in represented}
            for patient_id, consents in found.items()]


def caregiver_records(ctx, me: str, patient_id: str, *, category=None, cursor=None,
                      limit: int = 50) -> dict:
    """A page of the records `patient_id` lets me (a person) see as a caregiver. Raises
    Forbidden without a consent in force (at once after a revocation)."""
    grantee = engine.Grantee.person(_my_key(ctx, me))
    actor = {"type": "patient", "id": me}
    if not _PATIENT_ID.fullmatch(patient_id) or ctx.repos.patients.get(patient_id) is None:
        raise Forbidden(_NO_CONSENT)  # as for a patient who shared nothing
    return _read(ctx, patient_id, grantee, engine.CAREGIVING, actor, category=category,
                 cursor=cursor, limit=limit)


def hospital_search(ctx, hospital_id: str, national_id: str, purpose: str, *, category=None,
                    cursor=None, limit: int = 50) -> dict:
    """Records of the patient from other hospitals under the patient's consent to this hospital
    for this purpose. Raises Forbidden, the same whether or not the patient exists."""
    patient = patients.find(ctx, national_id)
    if patient is None:
        # The same work as for a patient without consent: a look-up and an audit entry, so the
        # answer's time does not tell who is on the platform.
        consents_between(ctx, "", engine.Grantee.hospital(hospital_id))
        ctx.audit.record("records.list", actor={"type": "hospital", "id": hospital_id},
                         purpose=purpose, outcome="denied")
        raise Forbidden(_NO_CONSENT)
    return _read(ctx, patient["_id"], engine.Grantee.hospital(hospital_id), purpose,
                 {"type": "hospital", "id": hospital_id}, category=category, cursor=cursor,
                 limit=limit, exclude_hospital=hospital_id)


def _read(ctx, patient_id: str, grantee, purpose: str, actor: dict, *, category, cursor, limit,
          exclude_hospital=None) -> dict:
    now, consents = ctx.now(), _consents(ctx, patient_id, grantee)
    visible = _visible(ctx, consents, patient_id, grantee, purpose, category, actor)
    scope = reading.cursor_scope("shared", patient_id, grantee.kind, grantee.key, purpose,
                                 category, exclude_hospital)
    # Read on until the page is full and one more record it may show is found, or the records
    # run out: hidden records leave no empty pages, and a next cursor is given only when a
    # record to show follows (one after hidden records only would tell they exist). Batches are
    # read whole, at least _BATCH at a time whatever the page size, up to _MAX_BATCHES of them.
    allowed, batch_cursor, labels = [], cursor, _Labels(ctx)  # allowed: (record, its labels)
    for _ in range(_MAX_BATCHES):
        docs, batch_cursor = reading.page(ctx, patient_id, scope, categories=sorted(visible),
                                          cursor=batch_cursor, limit=max(limit + 1, _BATCH),
                                          exclude_hospital=exclude_hospital)
        labels.learn_hospitals(docs)
        for doc in docs:
            doc_labels = labels.of(doc)
            # A sensitive record the consent does not name stays hidden.
            if _decide(consents, doc, doc_labels, patient_id, grantee, purpose, now).permitted:
                allowed.append((doc, doc_labels))
        if len(allowed) > limit or batch_cursor is None:
            break
    if len(allowed) > limit:
        allowed = allowed[:limit]
        next_cursor = reading.positions(ctx, scope).encode(allowed[-1][0])
    else:  # the records ran out (None), or the batches did: go on from the last one read
        next_cursor = batch_cursor
    # Judged again on the consents as they are now: a consent withdrawn while the page was
    # read lets nothing read under it leave.
    consents = _consents(ctx, patient_id, grantee)
    _visible(ctx, consents, patient_id, grantee, purpose, category, actor)
    shown = []  # (record, the consent that permits it now)
    for doc, doc_labels in allowed:
        decision = _decide(consents, doc, doc_labels, patient_id, grantee, purpose, ctx.now())
        if decision.permitted:
            shown.append((doc, decision.consent_id))
    # Logged and told under the consents of what the page shows, not of records cut off it.
    consent_ids = {consent_id for _, consent_id in shown}
    shown = [doc for doc, _ in shown]
    for consent_id in sorted(consent_ids) or [None]:
        ctx.audit.record("records.list", actor=actor, patient_id=patient_id, purpose=purpose,
                         consent_id=consent_id, target={"count": len(shown)})
        if consent_id:  # told once per consent, registered or not yet (it waits)
            notify.notify(ctx, patient_id, "first_access_under_consent", {"consent_id": consent_id},
                          once_for=consent_id)
    return {"items": reading.views(ctx, shown), "next_cursor": next_cursor}


def _consents(ctx, patient_id: str, grantee) -> list:
    """The patient's consents to the grantee, and for a person the links that make them the
    patient's legal representative (consents to the engine)."""
    found = consents_between(ctx, patient_id, grantee)
    if grantee.kind == engine.PERSON:
        found += representatives.consents_between(ctx, patient_id, grantee.key)
    return found


def _visible(ctx, consents, patient_id: str, grantee, purpose: str, category, actor) -> frozenset:
    """The categories the grantee may list now. Raises Forbidden (on the trail) for none."""
    visible = engine.visible_categories(consents, patient_id=patient_id, accessor=grantee,
                                        purpose=purpose, at=ctx.now())
    if category is not None:
        visible = visible & {category}
    if not visible:
        ctx.audit.record("records.list", actor=actor, patient_id=patient_id, purpose=purpose,
                         outcome="denied")
        raise Forbidden(_NO_CONSENT)
    return visible


class _Labels:
    """A record's sensitivity labels: from its content, and every label of its hospital when
    that hospital is a sensitive specialty (an HIV clinic: its name alone says it). The
    hospitals' marks are read in one query per batch of records, for the ids not seen yet."""

    def __init__(self, ctx):
        self.ctx, self.hospitals = ctx, {}

    def learn_hospitals(self, docs: list[dict]) -> None:
        new = {d["hospital_id"] for d in docs if d.get("hospital_id")} - set(self.hospitals)
        if new:
            marks = hospitals.sensitive_labels(self.ctx, sorted(new))
            self.hospitals.update({h: marks.get(h, frozenset()) for h in new})

    def of(self, doc: dict) -> frozenset:
        resource = self.ctx.cipher.decrypt_json(doc["resource"], sealing.record(doc))
        return engine.sensitive_labels_for(engine.fhir_codings(resource)) | \
            self.hospitals.get(doc.get("hospital_id"), frozenset())


def _decide(consents, doc: dict, labels: frozenset, patient_id: str, grantee, purpose: str,
            at):
    return engine.decide(consents, patient_id=patient_id, accessor=grantee, purpose=purpose,
                         category=doc["category"], sensitive_labels=labels, at=at)


def _my_key(ctx, me: str) -> str:
    patient = ctx.repos.patients.get(me)
    if patient is None:
        raise NotFound()
    return patient["national_id_hash"]


def _shared_view(ctx, patient_id: str, consents: list) -> dict:
    person = patients.person_of(ctx, patient_id)
    categories = set()
    for granted in consents:
        categories |= ({"all"} if granted.categories is engine.ALL else set(granted.categories))
    return {"patient_id": patient_id, "name": person["name"],
            "categories": sorted(categories), "purposes": sorted({c.purpose for c in consents}),
            "consent_ids": sorted(c.id for c in consents)}
