"""A hospital leaving the platform takes its data with it: every version of every resource it
ever pushed, as NDJSON, each naming its patient by national ID (a resource may name the patient
only through a Patient entry of its bundle, which is not stored), then a manifest line with the
counts and the SHA-256 of all lines before it, so the hospital can check that it got everything
unaltered."""
import hashlib
import json
from collections import Counter

from services import fhir, patients, sealing


def lines(ctx, hospital_id: str):
    """NDJSON lines (each ending in a newline): one per version, oldest first, then
    {"manifest": {...}}. The export is on the trail before this returns (raises
    AuditUnavailable, answered 503, before any line is made); the lines are a generator, so a
    large export streams and is never held in memory."""
    # Recorded before the first line leaves: a client that stops reading early was still served.
    # One entry for the export, and one in each of its patients' access logs (a bulk read is
    # a read of every patient in it), appended together.
    actor = {"type": "hospital", "id": hospital_id}
    per_patient = ctx.repos.records.version_counts_by_patient(hospital_id)
    ctx.audit.record_many([
        {"action": "hospital.export", "actor": actor,
         "target": {"hospital_id": hospital_id, "count": sum(per_patient.values())}},
        *({"action": "records.export", "actor": actor, "patient_id": patient_id,
           "target": {"hospital_id": hospital_id, "count": versions}}
          for patient_id, versions in sorted(per_patient.items()))])
    return _lines(ctx, hospital_id)


def _lines(ctx, hospital_id: str):
    digest, counts, total, national_ids = hashlib.sha256(), Counter(), 0, {}
    for version in ctx.repos.records.versions_by_hospital(hospital_id):
        line = _line(ctx, version, national_ids)
        digest.update(line.encode())
        counts[version["resource_type"]] += 1
        total += 1
        yield line
    yield json.dumps({"manifest": {
        "hospital_id": hospital_id, "generated_at": ctx.now().isoformat(), "lines": total,
        "counts": dict(sorted(counts.items())), "sha256": digest.hexdigest()}}) + "\n"


def count(ctx, hospital_id: str) -> int:
    return ctx.repos.records.count_versions_by_hospital(hospital_id)


def _line(ctx, version: dict, national_ids: dict) -> str:
    resource = ctx.cipher.decrypt_json(version["resource"], sealing.version(version))
    patient_id = version["patient_id"]
    if patient_id not in national_ids:  # one look-up per patient, not per line
        national_ids[patient_id] = patients.person_of(ctx, patient_id)["national_id"]
    return json.dumps({
        "resource_type": version["resource_type"], "source_id": resource.get("id"),
        "version": version["version"], "received_at": version["received_at"].isoformat(),
        "bundle_id": version.get("bundle_id"),
        "patient": {"system": fhir.NATIONAL_ID_SYSTEM, "value": national_ids[patient_id]},
        "resource": resource}, ensure_ascii=False, separators=(",", ":")) + "\n"
