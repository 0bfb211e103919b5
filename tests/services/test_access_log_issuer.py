"""services.audit.recorder's access log without Flask: a registration names whose activation code
opened the account (`issued_by`), and no other entry names an issuer."""
from datetime import datetime, timezone

import mongomock

from models.audit import AuditLog
from services.audit.recorder import STAFF_NAME, Recorder, access_page

KEY = b"unit-test-chain-key-32-bytes-ok!"
AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
ME = {"type": "patient", "id": "pat_a"}


def test_a_registration_names_the_codes_issuer_and_nothing_else_does():
    log = AuditLog(mongomock.MongoClient(tz_aware=True).db)
    log.start(KEY)
    recorder = Recorder(log, KEY, lambda: AT)
    asked = []

    def names(hospital_ids):
        asked.append(hospital_ids)
        return {"hosp_1": "Bach Mai Hospital"}
    # Another action whose target names a hospital: no code was used.
    recorder.record("records.read", actor=ME, patient_id="pat_a",
                    target={"hospital_id": "hosp_1"})
    recorder.record("account.register", actor=ME, patient_id="pat_a",
                    target={"hospital_id": "hosp_1"})
    recorder.record("account.register", actor=ME, patient_id="pat_a",
                    target={"staff_id": "stf_1"})
    by_staff, by_hospital = access_page(log, names, "pat_a", limit=2, key=KEY)["items"]
    assert asked == [["hosp_1"]]  # the issuer is named though no entry of the page is its own
    assert by_hospital["issued_by"] == {"type": "hospital", "id": "hosp_1",
                                        "name": "Bach Mai Hospital"}
    assert by_staff["issued_by"] == {"type": "staff", "id": "stf_1", "name": STAFF_NAME}
    *_, other = access_page(log, names, "pat_a", limit=3, key=KEY)["items"]
    assert other["action"] == "records.read" and other["issued_by"] is None
