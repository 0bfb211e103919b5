"""A hospital's FHIR Bulk Data export (Bulk Data Access IG v2, system level, kick-off at
GET /v1/hospital/$export): what it pushed, one NDJSON file per resource type, for a FHIR client
to load elsewhere. The older GET /v1/hospital/export (hospital_export.py) stays as it is.

- No background worker runs in the embedded default, so the kick-off makes the files itself and
  stores them sealed (bulk_files.py). The job is written in progress first and completed after
  its files: a poll meanwhile answers "in progress", and a job whose server went away mid-way
  answers ExportFailed once it has been in progress longer than STALLED_AFTER.
- A job, its files and its status are its hospital's alone: every read names the hospital, so
  another hospital's job id is not found, the same as an unknown one.
- Files expire BULK_EXPORT_HOURS after the kick-off, checked by every query; an expired or
  deleted job is not found (404): TTL deletion runs late, so "gone" (410) could not be told
  reliably from "never was" anyway.
- Every patient in the files gets a `records.export` entry in the access log, written after the
  files are stored and before the job completes (nothing is served before): if the trail cannot
  take them the job and its files are removed and the kick-off fails with AuditUnavailable.
- `versions`: `current` (the default, as the IG says) is the current version of each record;
  `all` is every version pushed, oldest first within each type.
- The handover manifest of the older export (counts and SHA-256) is a document of its own beside
  the files (handover), named in the Bulk Data manifest's `extension`, which Bulk Data clients
  ignore: `output` lists FHIR resource files only."""
from datetime import timedelta

from models.bulk_exports import COMPLETE
from security.codes import opaque_id
from services import sealing
from services.errors import ExportFailed, NotFound, TooManyExports
from services.records import bulk_files
from services.records.bulk_files import ALL, CURRENT

VERSIONS = (CURRENT, ALL)
MAX_LIVE_JOBS = 3  # each is a full copy of the hospital's data until it expires
STALLED_AFTER = timedelta(hours=1)


def start(ctx, hospital_id: str, request_url: str, *, resource_types: list[str] | None = None,
          since=None, versions: str = CURRENT) -> str:
    """Make the export's files now and return the job id. Raises TooManyExports when the
    hospital keeps MAX_LIVE_JOBS unexpired exports; AuditUnavailable (and nothing is kept) when
    the access log entries cannot be written."""
    now = ctx.now()
    _check_room(ctx, hospital_id, now)
    job = {"_id": opaque_id("bulk"), "hospital_id": hospital_id, "request": request_url,
           "versions": versions, "transaction_time": now,
           "expires_at": now + timedelta(hours=ctx.setting("BULK_EXPORT_HOURS"))}
    exports = ctx.repos.bulk_exports
    exports.create(job)
    try:
        written = bulk_files.write_files(ctx, job, resource_types, since)
        _record(ctx, hospital_id, job["_id"], written)
        if not exports.complete(hospital_id, job["_id"], {"output": written.output(),
                                                          "completed_at": ctx.now()}):
            exports.discard(hospital_id, job["_id"])  # deleted meanwhile: keep no files
    except BaseException:
        exports.discard(hospital_id, job["_id"])
        raise
    return job["_id"]


def _check_room(ctx, hospital_id: str, now) -> None:
    expiries = ctx.repos.bulk_exports.live_expiries(hospital_id, now, MAX_LIVE_JOBS)
    if len(expiries) >= MAX_LIVE_JOBS:
        raise TooManyExports((expiries[0] - now).total_seconds())


def _record(ctx, hospital_id: str, job_id: str, written: bulk_files.Written) -> None:
    """One entry for the export, and one in each of its patients' access logs (a bulk read is
    a read of every patient in it), appended together."""
    actor = {"type": "hospital", "id": hospital_id}
    ctx.audit.record_many([
        {"action": "hospital.bulk_export", "actor": actor,
         "target": {"hospital_id": hospital_id, "export_id": job_id,
                    "count": sum(written.counts.values())}},
        *({"action": "records.export", "actor": actor, "patient_id": patient_id,
           "target": {"hospital_id": hospital_id, "export_id": job_id, "count": versions}}
          for patient_id, versions in sorted(written.per_patient.items()))])


def status(ctx, hospital_id: str, job_id: str) -> dict:
    """{"complete": False} while the files are being made; once made, {"complete": True,
    "transaction_time", "request", "expires_at", "output": [{"type", "count"}]}. Raises
    NotFound (unknown, another hospital's, expired or deleted), ExportFailed (it stopped
    before it finished and never will)."""
    job = _job(ctx, hospital_id, job_id)
    if job["status"] != COMPLETE:
        if ctx.now() - job["transaction_time"] > STALLED_AFTER:
            raise ExportFailed()
        return {"complete": False}
    return {"complete": True, "transaction_time": job["transaction_time"],
            "request": job["request"], "expires_at": job["expires_at"],
            "output": [{"type": f["type"], "count": f["count"]} for f in job["output"]]}


def file_text(ctx, hospital_id: str, job_id: str, resource_type: str):
    """The NDJSON file of one resource type, as a generator of text (chunks are read in
    batches, never all held). The download is on the trail before this returns. Raises
    NotFound (as status, or no such file in the job), AuditUnavailable."""
    job = _complete_job(ctx, hospital_id, job_id)
    [count] = [f["count"] for f in job["output"] if f["type"] == resource_type] or [None]
    if count is None:
        raise NotFound("No such file in this export.")
    ctx.audit.record("hospital.bulk_export_file", actor={"type": "hospital", "id": hospital_id},
                     target={"hospital_id": hospital_id, "export_id": job_id, "count": count})
    return _text(ctx, hospital_id, job_id, resource_type)


def _text(ctx, hospital_id: str, job_id: str, resource_type: str):
    # The chunks carry their job's expiry: this read checks it again.
    for chunk in ctx.repos.bulk_exports.chunks(hospital_id, job_id, resource_type, ctx.now()):
        yield ctx.cipher.decrypt(chunk["data"], sealing.bulk_export_file(chunk))


def handover(ctx, hospital_id: str, job_id: str) -> dict:
    """The handover manifest: what the files hold (lines per type) and the SHA-256 of each
    file's bytes, so the hospital can check it got all of it unaltered. Raises as status."""
    job = _complete_job(ctx, hospital_id, job_id)
    return {"hospital_id": hospital_id, "export_id": job_id,
            "transaction_time": job["transaction_time"], "versions": job["versions"],
            "lines": sum(f["count"] for f in job["output"]),
            "counts": {f["type"]: f["count"] for f in job["output"]},
            "files": [dict(f) for f in job["output"]]}


def delete(ctx, hospital_id: str, job_id: str) -> None:
    """Cancel the export, or say the hospital is done with it: the job and its files are
    deleted. Raises NotFound as status; AuditUnavailable (nothing deleted)."""
    _job(ctx, hospital_id, job_id)
    entry = {"action": "hospital.bulk_export_delete",
             "actor": {"type": "hospital", "id": hospital_id},
             "target": {"hospital_id": hospital_id, "export_id": job_id}}
    ctx.audit.record(**entry)
    if not ctx.repos.bulk_exports.delete(hospital_id, job_id, ctx.now()):
        ctx.audit.undone(entry)  # it expired or was deleted in between
        raise NotFound("No such export.")


def _job(ctx, hospital_id: str, job_id: str) -> dict:
    job = ctx.repos.bulk_exports.get(hospital_id, job_id, ctx.now())
    if job is None:
        raise NotFound("No such export.")
    return job


def _complete_job(ctx, hospital_id: str, job_id: str) -> dict:
    job = _job(ctx, hospital_id, job_id)
    if job["status"] != COMPLETE:
        raise NotFound("The export's files are not ready.")
    return job
