"""A patient's export as a FHIR R4 collection Bundle that stands on its own: every entry has a
fullUrl, every resource id is a valid FHIR id, and every reference resolves inside the bundle.

Records are stored as their authors sent them, and what they reference mostly lives elsewhere:
the Patient entry of the hospital's push (not stored), the hospital's Practitioners, or another
of its resources by the hospital's own id. So the export links them at output time, never in
storage, the same way every time (the same record has the same fullUrl and id in every export):

- an entry's fullUrl is a name-based UUID of our own record id (or patient id): unique in the
  bundle even when two hospitals use the same resource id, and derived from random ids only;
- the patient field (subject or patient) and every other reference the author used for the
  patient point at the export's Patient entry;
- a reference by the author's own id (`Type/id`, or `urn:uuid:id` as hospital systems name their
  push's entries) points at that record's entry when the same author's record is in the export;
- `#id` references to contained resources stay; anything else that does not resolve loses its
  `reference`, keeping `display` and `identifier` (the original text becomes the display when
  nothing else would be left: an empty Reference is not valid FHIR).
"""
import copy
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.fhir.mapping import STORED_TYPES
from services.fhir.outcomes import fhir_instant

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# Fixed forever: changing it would change every exported fullUrl and Patient id.
_NAMESPACE = uuid.UUID("d4d651a0-8d37-4016-822c-c3056908d0ed")
_HISTORY = re.compile(r"/_history/[^/]*$")
_AMBIGUOUS = object()


@dataclass(frozen=True)
class ExportedRecord:
    """A stored record for the export: `key` is our own record id (its entry's fullUrl is made
    from it); `author` whoever sent it (a hospital, or the patient), the scope of the ids its
    references use; `resource` the latest version, as its author sent it."""
    key: str
    author: tuple
    resource: dict


def export_id(value: str) -> str:
    """`value` when it is a valid FHIR id, else one made from it: the same value always gives
    the same id. Measurements stored before ids were made valid (`obs_...`) need it."""
    if FHIR_ID.fullmatch(value):
        return value
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def entry_url(kind: str, key: str) -> str:
    """The fullUrl of the entry of our record or patient `key` (kind "record" or "patient")."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{kind}/{key}')}"


def collection_bundle(patient_key: str, patient_resource: dict, records: list[ExportedRecord], *,
                      timestamp: datetime | None = None) -> dict:
    """The collection Bundle of the Patient (whose id is made from our patient id
    `patient_key`, never from what it says) and `records` in the order given, linked as the
    module says. The inputs are not changed."""
    patient_url = entry_url("patient", patient_key)
    patient = {**patient_resource, "id": patient_url.removeprefix("urn:uuid:")}
    index = _index(records)
    entries = [{"fullUrl": patient_url, "resource": patient}]
    entries += [{"fullUrl": entry_url("record", r.key),
                 "resource": _linked(r, patient_url, index)} for r in records]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    if timestamp is not None:
        bundle["timestamp"] = fhir_instant(timestamp)
    return bundle


def _index(records: list[ExportedRecord]) -> dict:
    """{(author, reference): fullUrl} of the references an author may use for its records."""
    index = {}
    for record in records:
        resource_type, own_id = record.resource.get("resourceType"), record.resource.get("id")
        url = entry_url("record", record.key)
        for reference in (f"{resource_type}/{own_id}", f"urn:uuid:{own_id}"):
            key = (record.author, reference)
            # Two records of one author answering one urn:uuid (types differ): link neither.
            index[key] = url if index.get(key, url) == url else _AMBIGUOUS
    return index


def _linked(record: ExportedRecord, patient_url: str, index: dict) -> dict:
    resource = copy.deepcopy(record.resource)
    spec = STORED_TYPES.get(resource.get("resourceType"))
    subject = resource.get(spec.patient_field) if spec else None
    own = subject.get("reference") if isinstance(subject, dict) else None
    contained = [c for c in resource.get("contained") or [] if isinstance(c, dict)]
    local = {c["id"] for c in contained if isinstance(c.get("id"), str)}

    def target(reference: str) -> str | None:
        if reference == own:
            return patient_url
        if reference == "#":  # the resource itself, from one it contains
            return reference
        if reference.startswith("#"):
            return "#" + export_id(reference[1:]) if reference[1:] in local else None
        found = index.get((record.author, _HISTORY.sub("", reference)))
        return None if found is _AMBIGUOUS else found

    _relink(resource, target)
    if isinstance(subject, dict):  # also when the author named the patient by identifier only
        subject["reference"] = patient_url
    if own and own.startswith("#"):  # the export's Patient stands in for the contained one
        contained = [c for c in contained if "#" + str(c.get("id")) != own]
    for item in contained:
        if isinstance(item.get("id"), str):
            item["id"] = export_id(item["id"])
    if "contained" in resource:
        resource["contained"] = contained
        if not contained:  # FHIR JSON has no empty arrays
            del resource["contained"]
    resource["id"] = export_id(resource["id"])
    return resource


def _relink(node, target) -> None:
    """Point every Reference under `node` where `target` says, or unlink it (None)."""
    if isinstance(node, list):
        for item in node:
            _relink(item, target)
        return
    if not isinstance(node, dict):
        return
    reference = node.get("reference")
    if isinstance(reference, str):
        found = target(reference)
        if found:
            node["reference"] = found
        else:
            del node["reference"]
            if "display" not in node and "identifier" not in node:
                node["display"] = reference
    for key, value in node.items():
        if key != "reference":
            _relink(value, target)
