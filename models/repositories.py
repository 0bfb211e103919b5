"""Every repository over one database handle: what the composition root hands the services (as
`ctx.repos`), and what a test builds over the embedded database without an app."""
from models.accounts import Accounts
from models.activation_codes import ActivationCodes
from models.audit import MAIN_CHAIN, AuditLog
from models.audit_checkpoints import CheckpointStore
from models.bulk_exports import BulkExports
from models.consents import Consents
from models.data_requests import DataRequests
from models.devices import Devices
from models.evidence_scans import EvidenceScans
from models.hospitals import Hospitals
from models.ingest_requests import IngestRequests
from models.notifications import Notifications
from models.patients import Patients
from models.records import Records
from models.representatives import Representatives
from models.sealed import Sealed
from models.security_events import SecurityEvents
from models.sessions import Sessions
from models.staff import Staff
from models.step_tokens import StepTokens
from models.throttles import Throttles
from models.trusted_devices import TrustedDevices
from models.witnesses import Witnesses


class Repositories:
    def __init__(self, db):
        self.db = db
        self.accounts = Accounts(db)
        self.activation_codes = ActivationCodes(db)
        self.audit_log = AuditLog(db, MAIN_CHAIN)
        self.checkpoints = CheckpointStore(db, MAIN_CHAIN)
        self.bulk_exports = BulkExports(db)
        self.consents = Consents(db)
        self.data_requests = DataRequests(db)
        self.devices = Devices(db)
        self.evidence_scans = EvidenceScans(db)
        self.hospitals = Hospitals(db)
        self.ingest_requests = IngestRequests(db)
        self.notifications = Notifications(db)
        self.patients = Patients(db)
        self.records = Records(db)
        self.representatives = Representatives(db)
        self.sealed = Sealed(db)
        self.security_events = SecurityEvents(db)
        self.sessions = Sessions(db)
        self.staff = Staff(db)
        self.step_tokens = StepTokens(db)
        self.throttles = Throttles(db)
        self.trusted_devices = TrustedDevices(db)
        self.witnesses = Witnesses(db)
