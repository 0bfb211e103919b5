"""The demo world of API.md: two hospitals, staff accounts with TOTP, patients with
activation codes. Credentials go to a file (mode 0600) before the server accepts requests."""
import json
import logging
import os
import secrets
import tempfile

from models import accounts
from models.db import is_empty, utcnow
from security import totp
from services.operations import admin, demo_records, hospitals
from services.records import ingest
from services.signin import factors, registration

log = logging.getLogger(__name__)

DEMO_HOSPITALS = [("hosp_bach_mai", "Bach Mai Hospital (demo)"),
                  ("hosp_cho_ray", "Cho Ray Hospital (demo)")]
# Two support accounts (one records a consent, the other approves it) and a privacy officer.
DEMO_STAFF = [("support.demo", [admin.SUPPORT]), ("support.demo2", [admin.SUPPORT]),
              ("privacy.demo", [admin.PRIVACY_OFFICER])]
DEMO_PATIENTS = [("001090000001", "Nguyen Van An"), ("079085000002", "Tran Thi Binh"),
                 ("048200000003", "Le Minh Chau")]


def seed(ctx, path: str) -> bool:
    """Seed an empty database and write its credentials to `path`; False (and nothing written)
    when the database already holds accounts."""
    if not is_empty(ctx.db):
        log.warning("PHR_DEMO_SEED set but the database is not empty: demo seed skipped")
        return False
    creds = {"hospitals": [hospitals.create_hospital(ctx, name, hospital_id)
                           for hospital_id, name in DEMO_HOSPITALS],
             "staff_accounts": [_seed_staff(ctx, username, roles)
                                for username, roles in DEMO_STAFF],
             "patients": []}
    creds["staff"] = creds["staff_accounts"][0]  # kept for older scripts (API.md)
    for number, (national_id, name) in enumerate(DEMO_PATIENTS):
        hospital_id = DEMO_HOSPITALS[number % 2][0]
        # Results first: a hospital issues codes only to people it has pushed a record for.
        _push_first_results(ctx, hospital_id, national_id, f"2026-10-{10 + number}")
        creds["patients"].append(_seed_patient(ctx, national_id, name, hospital_id))
    _write_private(path, creds)
    log.info("demo world seeded; credentials written to %s", path)
    return True


def _seed_staff(ctx, username: str, roles: list[str]) -> dict:
    password = secrets.token_urlsafe(12)
    staff_id = admin.create_staff(ctx, username, password, roles)
    secret = totp.new_secret()
    encrypted = factors.encrypt_secret(ctx, accounts.STAFF, staff_id, secret)
    ctx.repos.accounts.set_pending_totp(accounts.STAFF, staff_id, encrypted)
    # Step 0 lies in 1970: every current code is still usable once.
    ctx.repos.accounts.activate_totp(accounts.STAFF, staff_id, encrypted, 0, [])
    return {"username": username, "password": password, "totp_secret": secret, "roles": roles}


def _seed_patient(ctx, national_id: str, name: str, hospital_id: str) -> dict:
    issued = registration.issue_activation_code(ctx, national_id,
                                                {"type": "hospital", "id": hospital_id}, name)
    return {"national_id": national_id, "activation_code": issued["activation_code"], "name": name}


def _push_first_results(ctx, hospital_id: str, national_id: str, day: str) -> None:
    """Through the same ingestion path as POST /v1/hospital/bundles."""
    body = demo_records.first_results(national_id, day)
    answer = ingest.ingest(ctx, hospital_id, body, f"demo-{national_id}", None)
    stored = sum(e["response"]["status"].startswith("201") for e in answer["entry"])
    log.info("demo hospital %s pushed %d records for a demo patient", hospital_id, stored)


def _write_private(path: str, data: dict) -> None:
    """Atomic write, readable by the owner only (the file holds secrets)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".phr-demo-")
    with os.fdopen(fd, "w") as handle:
        json.dump({**data, "generated_at": utcnow().isoformat()}, handle, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
