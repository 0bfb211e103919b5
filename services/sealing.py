"""What each encrypted field is bound to: the associated data (AAD) of every AES-256-GCM value
the services seal, in one place. A value opens only under the context it was sealed with, so a
ciphertext copied into another document, field or patient does not decrypt (a database operator
cannot move one patient's record under another). PLACES lists every sealed field for a key
rotation (services/operations/key_rotation.py)."""
from models.patients import SEALED_FIELDS as PATIENT_FIELDS

REPRESENTATIVE_FIELDS = ("representative_national_id", "child_birth_date")


def patient(patient_id: str, field: str) -> str:
    return f"patients:{patient_id}:{field}"


def totp(kind: str, account_id: str) -> str:
    return f"{kind}:{account_id}:totp"


# Sealed record content names the record's patient and hospital, so a record re-pointed to
# another patient in the database no longer opens.
def record(doc: dict) -> str:
    return f"records:{doc['_id']}:{doc['patient_id']}:{doc.get('hospital_id')}:resource"


def summary(doc: dict) -> str:
    return f"records:{doc['_id']}:{doc['patient_id']}:{doc.get('hospital_id')}:summary"


def version(doc: dict) -> str:
    return (f"record_versions:{doc['record_id']}:{doc['version']}:"
            f"{doc['patient_id']}:{doc.get('hospital_id')}:resource")


def ingest_answer(key_id: str) -> str:
    return f"ingest_requests:{key_id}:answer"


def consent_grantee(consent_id: str) -> str:
    return f"consents:{consent_id}:grantee_national_id"


def request_details(request_id: str, patient_id: str) -> str:
    return f"data_requests:{request_id}:{patient_id}:details"


def device_token(token_hash: str) -> str:
    return f"devices:{token_hash}:token"


def representative(link_id: str, field: str) -> str:
    """`field` national_id or child_birth_date."""
    return f"representatives:{link_id}:{field}"


def evidence_scan(scan_id: str, patient_id: str, subject_id: str) -> str:
    return f"evidence_scans:{scan_id}:{patient_id}:{subject_id}:data"


# A chunk's _id names its job, resource type and position: a chunk moved to another job, file
# or place in its file, or to another hospital, does not open.
def bulk_export_file(doc: dict) -> str:
    return f"bulk_export_files:{doc['_id']}:{doc['hospital_id']}:data"


def _representative_field(doc: dict, field: str) -> str:
    return representative(doc["_id"], "national_id" if field == "representative_national_id"
                          else field)


# (collection, sealed fields, the associated data of a field of a document)
PLACES = [
    ("patients", PATIENT_FIELDS, lambda doc, field: patient(doc["_id"], field)),
    ("patients", ("totp_secret", "totp_pending"), lambda doc, field: totp("patient", doc["_id"])),
    ("staff", ("totp_secret", "totp_pending"), lambda doc, field: totp("staff", doc["_id"])),
    ("records", ("resource",), lambda doc, field: record(doc)),
    ("records", ("summary",), lambda doc, field: summary(doc)),
    ("record_versions", ("resource",), lambda doc, field: version(doc)),
    ("ingest_requests", ("answer",), lambda doc, field: ingest_answer(doc["_id"])),
    ("consents", ("grantee_national_id",), lambda doc, field: consent_grantee(doc["_id"])),
    ("devices", ("token",), lambda doc, field: device_token(doc["token_hash"])),
    ("data_requests", ("details",),
     lambda doc, field: request_details(doc["_id"], doc["patient_id"])),
    ("representatives", REPRESENTATIVE_FIELDS, _representative_field),
    ("bulk_export_files", ("data",), lambda doc, field: bulk_export_file(doc)),
    ("evidence_scans", ("data",),
     lambda doc, field: evidence_scan(doc["_id"], doc["patient_id"], doc["subject_id"])),
]
