"""parse_bundle: a FHIR R4 batch or transaction Bundle, as a hospital pushes it, into one
Candidate per entry. Pure: plain values in, plain values out; storage decides what to keep.

Each entry is judged on its own, so one bad entry never hides the others' outcome. Whether a
transaction with an invalid entry is refused as a whole is the caller's decision."""
import re

from security.text import holds_lone_surrogate
from services.fhir.attachments import attachment_issues
from services.fhir.candidates import (INVALID, NOT_STORED, OK, BundleRejected, Candidate,
                                      ParsedBundle, shown)
from services.fhir.mapping import STORED_TYPES, category_of, clinical_times
from services.fhir.patients import NamedPatient, PatientIndex, named_by, patient_info, patient_of
from services.fhir.summary import summary_of
from services.fhir.validation import is_known_type, validation_issues

BUNDLE_TYPES = ("batch", "transaction")
_METHODS = ("POST", "PUT")
_MAX_ID = 64  # FHIR's limit on an id; the R4B model checks only its characters
_PUT_URL = re.compile(r"([A-Za-z]+)/([^/?#]+)")
# Such an entry can be neither stored (no UTF-8 encoder takes it) nor echoed back.
_UNREADABLE = "the entry holds text that is not valid Unicode (a lone surrogate code point)"


def parse_bundle(body: dict, *, max_entries: int, max_attachment_bytes: int) -> ParsedBundle:
    """The ParsedBundle of `body`: one Candidate per entry, in order, and the people its
    Patient entries name. Raises BundleRejected when the body is not a batch or transaction
    Bundle with 1 to `max_entries` entries."""
    bundle_type, entries = _envelope(body, max_entries)
    candidates = [_examine(i, entry, max_attachment_bytes) for i, entry in enumerate(entries)]
    index = _index_patients(candidates)
    for candidate in candidates:
        if candidate.status == OK:
            _map(candidate, index)
    _refuse_repeats(candidates)
    return ParsedBundle(bundle_type, candidates, _patients(candidates))


def _envelope(body, max_entries: int) -> tuple[str, list]:
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise BundleRejected(["the body must be a FHIR Bundle (resourceType \"Bundle\")"])
    issues = []
    if "type" not in body:
        issues.append("Bundle.type is missing: it must be \"batch\" or \"transaction\"")
    elif body["type"] not in BUNDLE_TYPES:
        issues.append("Bundle.type must be \"batch\" or \"transaction\", "
                      f"not {shown(body['type'])}")
    entries = body.get("entry")
    if not isinstance(entries, list) or not entries:
        issues.append("Bundle.entry must be a list of one or more entries")
    elif len(entries) > max_entries:
        issues.append(f"the bundle has {len(entries)} entries, more than the {max_entries} "
                      "taken at once: split it into smaller bundles")
    if issues:
        raise BundleRejected(issues)
    return body["type"], entries


def _examine(index: int, entry, max_bytes: int) -> Candidate:
    """The entry's Candidate before patients are resolved: invalid, not stored, or ok so far."""
    unreadable = holds_lone_surrogate(entry)
    candidate = _read(index, entry, keep_resource=not unreadable)
    problem = _UNREADABLE if unreadable else _entry_problem(entry)
    if problem:
        candidate.refuse(problem)
        return candidate
    resource_type = candidate.resource_type
    if resource_type not in STORED_TYPES and resource_type != "Patient":
        candidate.status = NOT_STORED
        candidate.issues.append(f"{resource_type} is not a record type this service stores: "
                                "the entry is accepted and ignored")
        return candidate
    issues = validation_issues(candidate.resource)
    if not issues and resource_type in STORED_TYPES:
        issues = _record_issues(entry, candidate, max_bytes)
    if issues:
        candidate.refuse(*issues)
    return candidate


def _read(index: int, entry, *, keep_resource: bool) -> Candidate:
    candidate = Candidate(index, None, None, OK, [])
    if not isinstance(entry, dict):
        return candidate
    resource = entry.get("resource")
    candidate.full_url = _text(entry.get("fullUrl"))
    if isinstance(resource, dict):
        candidate.resource = resource if keep_resource else None
        candidate.resource_type = _text(resource.get("resourceType"))
        candidate.source_id = _text(resource.get("id"))
    return candidate


def _text(value) -> str | None:
    return value if isinstance(value, str) and not holds_lone_surrogate(value) else None


def _entry_problem(entry) -> str | None:
    if not isinstance(entry, dict):
        return "the entry is not a JSON object"
    method = _request(entry).get("method")
    if method is not None and method not in _METHODS:
        return (f"entry.request.method {shown(method)} is not taken here: entries create or "
                "amend records (POST or PUT)")
    resource = entry.get("resource")
    if not isinstance(resource, dict):
        return "the entry has no resource"
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str):
        return "the resource has no resourceType"
    if not is_known_type(resource_type):
        return f"{shown(resource_type)} is not a FHIR R4 resource type"
    return None


def _request(entry: dict) -> dict:
    request = entry.get("request")
    return request if isinstance(request, dict) else {}


def _record_issues(entry: dict, candidate: Candidate, max_bytes: int) -> list[str]:
    """What keeps a valid resource of a stored type from becoming a record."""
    resource_type, source_id = candidate.resource_type, candidate.source_id
    if source_id is None:
        return [f"{resource_type}.id is missing: the hospital's own id of a resource is what "
                "makes a later push of it an amendment"]
    if len(source_id) > _MAX_ID:
        return [f"{resource_type}.id is longer than {_MAX_ID} characters"]
    request = _request(entry)
    url = request.get("url")
    named = _PUT_URL.fullmatch(url) if isinstance(url, str) else None
    if request.get("method") == "PUT" and named and named.groups() != (resource_type, source_id):
        return [f"entry.request.url {shown(url)} does not name this resource "
                f"({resource_type}/{source_id})"]
    return attachment_issues(candidate.resource, max_bytes)


def _index_patients(candidates: list[Candidate]) -> PatientIndex:
    """The bundle's Patient entries, which are never records themselves; one whose national
    ID is malformed is invalid, since no entry could be filed through it."""
    index = PatientIndex()
    for candidate in candidates:
        if candidate.resource_type != "Patient":
            continue
        where = f"the Patient in entry {candidate.index}"
        if candidate.status == INVALID:
            named = NamedPatient(None, f"{where} is invalid")
        else:
            named = named_by(candidate.resource, where)
            _settle_patient(candidate, named)
        index.add(candidate.full_url, candidate.source_id, named)
    return index


def _settle_patient(candidate: Candidate, named: NamedPatient) -> None:
    candidate.national_id = named.national_id
    if named.malformed:
        candidate.refuse(named.problem)
        return
    candidate.status = NOT_STORED
    candidate.issues.append("a Patient is not stored as a record: it names the patient of the "
                            "entries that reference it")
    if named.problem:
        candidate.issues.append(f"{named.problem}, so no entry can name its patient through it")


def _map(candidate: Candidate, index: PatientIndex) -> None:
    """Name the patient of a valid record, or refuse it; then its category, times, summary."""
    resource_type, resource = candidate.resource_type, candidate.resource
    spec = STORED_TYPES[resource_type]
    national_id, problem = patient_of(resource, spec.patient_field, index)
    if problem:
        candidate.refuse(problem)
        return
    candidate.national_id = national_id
    candidate.category = category_of(resource_type, resource)
    candidate.effective_at, candidate.issued_at = clinical_times(resource_type, resource)
    candidate.summary = summary_of(resource, spec.code)


def _refuse_repeats(candidates: list[Candidate]) -> None:
    """A bundle holds one version of a resource: a later entry with the same type and id is
    invalid (which of the two should win is not ours to guess)."""
    first = {}
    for candidate in candidates:
        if candidate.status != OK:
            continue
        key = (candidate.resource_type, candidate.source_id)
        if key in first:
            candidate.refuse(f"entry {first[key]} already carries {key[0]}/{key[1]}: a bundle "
                             "holds one version of a resource")
        else:
            first[key] = candidate.index


def _patients(candidates: list[Candidate]) -> list:
    """PatientInfo of each national ID the bundle's Patient entries name, first entry first."""
    found = {}
    for candidate in candidates:
        if (candidate.resource_type == "Patient" and candidate.status == NOT_STORED
                and candidate.national_id and candidate.national_id not in found):
            found[candidate.national_id] = patient_info(candidate.resource, candidate.national_id)
    return list(found.values())
