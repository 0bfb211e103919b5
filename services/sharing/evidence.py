"""Scans of the signed paper forms behind what staff record (a consent, a legal representative):
checked to be the kind of file they claim, sealed at rest, shown to staff only (the approver
compares the scan with what was recorded), and every viewing is on the patient's access log."""
import base64
import binascii

from security.codes import opaque_id
from services.errors import InvalidInput, NotFound
from services import sealing

# The first bytes each accepted kind of file starts with: a scan claiming to be a PDF is one.
MAGIC = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff",
         "image/png": b"\x89PNG\r\n\x1a\n"}


def check(ctx, scan: dict) -> dict:
    """{"content_type", "data": bytes} from the API's {"content_type", "data": base64}.
    Raises InvalidInput for data that is not base64, too large, or not that kind of file."""
    try:
        data = base64.b64decode(scan["data"], validate=True)
    except (binascii.Error, ValueError):
        raise _refused("The scan is not base64.") from None
    if not data or len(data) > ctx.setting("EVIDENCE_SCAN_MAX_BYTES"):
        raise _refused(f"The scan must hold 1 to {ctx.setting('EVIDENCE_SCAN_MAX_BYTES')} bytes.")
    if not data.startswith(MAGIC[scan["content_type"]]):
        raise _refused(f"The scan is not a {scan['content_type']} file.")
    return {"content_type": scan["content_type"], "data": data}


def store(ctx, scan: dict, patient_id: str, subject_id: str, recorded_by: dict) -> str:
    """Seal and keep a checked scan of the form behind `subject_id`; its id."""
    scan_id = opaque_id("scn")
    sealed = ctx.cipher.encrypt(base64.b64encode(scan["data"]).decode("ascii"),
                                sealing.evidence_scan(scan_id, patient_id, subject_id))
    doc = {"_id": scan_id, "patient_id": patient_id, "subject_id": subject_id,
           "content_type": scan["content_type"], "size": len(scan["data"]),
           "data": sealed,
           "uploaded_by": recorded_by, "uploaded_at": ctx.now()}
    ctx.repos.evidence_scans.insert(doc)
    return scan_id


def open_scan(ctx, scan_id: str | None, patient_id: str, subject_id: str, staff_id: str) -> dict:
    """{"content_type", "data": bytes} of the scan behind `subject_id`, for a staff account.
    Raises NotFound when there is none, AuditUnavailable (nothing shown)."""
    doc = ctx.repos.evidence_scans.get(scan_id, patient_id, subject_id) if scan_id else None
    if doc is None:
        raise NotFound("No scan was uploaded for this item.")
    ctx.audit.record("evidence.read", actor={"type": "staff", "id": staff_id},
                     patient_id=patient_id, consent_id=subject_id)
    text = ctx.cipher.decrypt(doc["data"], sealing.evidence_scan(scan_id, patient_id, subject_id))
    return {"content_type": doc["content_type"], "data": base64.b64decode(text)}


def _refused(message: str) -> InvalidInput:
    return InvalidInput(message, errors={"evidence_scan": [message]})
