"""The files of a hospital's FHIR Bulk Data export: one NDJSON file per resource type, one
resource a line, stored sealed in chunks until the job expires.

Each line is the resource as the hospital pushed it, with two additions so that it stands on its
own outside the bundle it came in:
- `meta.versionId` and `meta.lastUpdated` are this platform's version number and the time that
  version arrived (what `_since` compares, and what tells the versions of `_versions=all` apart);
  the rest of `meta` (tags, profiles) stays;
- the patient reference (`subject` or `patient`) gets the national ID identifier when it has no
  identifier: a resource may name its patient only through a Patient entry of its bundle, which
  is not stored, and a leaving hospital must be able to say whose record each line is.

Round trips are fixed per batch, never per line: versions are read in batches, the national IDs
of a batch's new patients with one query, chunks written several at a time."""
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from services import fhir, sealing
from services.fhir.mapping import STORED_TYPES

CHUNK_BYTES = 1 << 20  # plaintext lines per chunk, about; sealed (base64) it grows by a third
CHUNKS_PER_WRITE = 8
BATCH = 500  # versions per read, and at most this many patients per national ID look-up
ALL, CURRENT = "all", "current"


@dataclass
class Written:
    """What the files hold: lines and SHA-256 per resource type, versions per patient."""
    counts: Counter = field(default_factory=Counter)
    digests: dict = field(default_factory=dict)
    per_patient: Counter = field(default_factory=Counter)

    def output(self) -> list[dict]:
        return [{"type": kind, "count": self.counts[kind],
                 "sha256": self.digests[kind].hexdigest()} for kind in sorted(self.counts)]


def write_files(ctx, job: dict, resource_types: list[str] | None, since) -> Written:
    """Read what the job asks for and store its files; returns what they hold."""
    every_version = job["versions"] == ALL
    read = ctx.repos.records.versions_for_export if every_version \
        else ctx.repos.records.current_for_export
    written, national_ids = Written(), {}
    writer = _ChunkWriter(ctx, job)
    for batch in _batches(read(job["hospital_id"], resource_types, since, batch_size=BATCH)):
        unknown = {d["patient_id"] for d in batch} - set(national_ids)
        national_ids.update(_national_ids(ctx, unknown))
        for doc in batch:
            line = _line(ctx, doc, every_version, national_ids.get(doc["patient_id"]))
            kind = doc["resource_type"]
            written.digests.setdefault(kind, hashlib.sha256()).update(line.encode())
            written.counts[kind] += 1
            written.per_patient[doc["patient_id"]] += 1
            writer.add(kind, line)
    writer.close()
    return written


def _batches(cursor):
    batch = []
    for doc in cursor:
        batch.append(doc)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _national_ids(ctx, patient_ids: set) -> dict:
    """{patient id: national ID} in one query."""
    if not patient_ids:
        return {}
    return {doc["_id"]: ctx.cipher.decrypt(doc["national_id"],
                                           sealing.patient(doc["_id"], "national_id"))
            for doc in ctx.repos.patients.national_ids_of(sorted(patient_ids))
            if doc.get("national_id")}


def _line(ctx, doc: dict, every_version: bool, national_id: str | None) -> str:
    if every_version:  # a record_versions document
        resource = ctx.cipher.decrypt_json(doc["resource"], sealing.version(doc))
        arrived = doc["received_at"]
    else:  # a records document: its pointer names the current version
        resource = ctx.cipher.decrypt_json(doc["resource"], sealing.record(doc))
        arrived = doc.get("updated_at") or doc["created_at"]
    resource["meta"] = {**(resource.get("meta") or {}), "versionId": str(doc["version"]),
                        "lastUpdated": fhir.fhir_instant(arrived)}
    _name_patient(resource, doc["resource_type"], national_id)
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def _name_patient(resource: dict, resource_type: str, national_id: str | None) -> None:
    spec = STORED_TYPES.get(resource_type)
    reference = resource.get(spec.patient_field) if spec else None
    if national_id and isinstance(reference, dict) and "identifier" not in reference:
        reference["identifier"] = {"system": fhir.NATIONAL_ID_SYSTEM, "value": national_id}


class _ChunkWriter:
    """Cuts each type's lines into sealed chunks and stores them a few at a time."""

    def __init__(self, ctx, job: dict):
        self.ctx, self.job = ctx, job
        self.kind, self.lines, self.size, self.seq = None, [], 0, 0
        self.pending: list[dict] = []

    def add(self, kind: str, line: str) -> None:
        if kind != self.kind:  # the reads come one type after another: a new file
            self._cut()
            self.kind, self.seq = kind, 0
        elif self.size + len(line) > CHUNK_BYTES:
            self._cut()
        self.lines.append(line)
        self.size += len(line)

    def close(self) -> None:
        self._cut()
        self._store()

    def _cut(self) -> None:
        if not self.lines:
            return
        job = self.job
        chunk = {"_id": f"{job['_id']}:{self.kind}:{self.seq}", "job_id": job["_id"],
                 "hospital_id": job["hospital_id"], "resource_type": self.kind,
                 "seq": self.seq, "expires_at": job["expires_at"]}
        chunk["data"] = self.ctx.cipher.encrypt("".join(self.lines),
                                                sealing.bulk_export_file(chunk))
        self.pending.append(chunk)
        self.lines, self.size, self.seq = [], 0, self.seq + 1
        if len(self.pending) >= CHUNKS_PER_WRITE:
            self._store()

    def _store(self) -> None:
        self.ctx.repos.bulk_exports.add_chunks(self.pending)
        self.pending = []
