"""One small world with a subject of every audience, shared by the security suite (the
authorization matrix and the fuzzing): three signed-in patients (`patient`, `other_patient`, and
`caregiver`, whom `patient` granted caregiving access), two hospitals, a support staff member,
each with tokens, and for every patient its own records, consents, devices, notifications and
session, so that a test can name an id that is the caller's own or someone else's. Two more
audiences hold only a sign-in step token: `password_only` (an mfa_token: the password is right,
the second factor not given yet) and `enrolling` (an enrollment_token: TOTP not set up yet).

Everything is made through the public API, as clients would, except the hospital clients and
the staff account (only the CLI makes those)."""
import secrets
from dataclasses import dataclass, field

from tests import factories
from tests.factories import Account, bearer, bundle, diagnosis, lab_result, push
from tests.factories import current_ctx

ANONYMOUS, PATIENT, OTHER_PATIENT, CAREGIVER = "anonymous", "patient", "other_patient", "caregiver"
HOSPITAL, OTHER_HOSPITAL, STAFF = "hospital", "other_hospital", "staff"
PASSWORD_ONLY, ENROLLING = "password_only", "enrolling"
PATIENTS = (PATIENT, OTHER_PATIENT, CAREGIVER)
HOSPITALS = (HOSPITAL, OTHER_HOSPITAL)
STEPS = (PASSWORD_ONLY, ENROLLING)
AUDIENCES = (ANONYMOUS, *PATIENTS, *HOSPITALS, STAFF, *STEPS)

# Kinds of id a request may name. A patient owns one of each; `sharer` is a patient who shared
# records with the caller; `patient` and `national_id` name a patient (staff and hospitals).
ID_KINDS = ("session", "record", "consent", "device", "notification", "request", "sharer",
            "patient", "national_id", "job", "resource_type")
UNUSED_NATIONAL_ID = "099999999999"
# A resource type each hospital pushed (_push_records): a file of its Bulk Data export.
EXPORTED_TYPE = {HOSPITAL: "Observation", OTHER_HOSPITAL: "Condition"}


@dataclass
class Person:
    """A signed-in patient of the world, with the ids of what it owns."""
    account: Account
    id: str = ""
    name: str = ""
    ids: dict = field(default_factory=dict)  # kind -> one id of its own
    receipt: dict | None = None  # of its first consent

    def canaries(self) -> set[str]:
        """Strings that would show this patient's data if they appeared in someone's answer."""
        return {self.account.national_id, self.name, self.id, *self.ids.values()} - {""}


class World:
    """Build with `World.build(app, client)`; then `token(audience)`, `ids_for(audience, kind)`."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        with app.app_context():
            self.hospitals = {HOSPITAL: factories.create_hospital("Matrix Hospital"),
                              OTHER_HOSPITAL: factories.create_hospital("Other Hospital")}
        self.hospital_tokens = {k: factories.hospital_token(client, h)
                                for k, h in self.hospitals.items()}
        self.people: dict[str, Person] = {}
        self.staff: Account | None = None
        self.step_tokens: dict[str, str] = {}
        self.exports: dict[str, str] = {}  # hospital audience -> its Bulk Data export's job id

    @classmethod
    def build(cls, app, client) -> "World":
        world = cls(app, client)
        for audience in PATIENTS:
            world.people[audience] = world._sign_up(audience)
        world.staff = factories.enroll_totp(client, factories.create_staff(app), None)
        world._push_records()
        world._bulk_exports()
        world._share()
        world._items_awaiting_approval()
        for audience, person in world.people.items():
            world._own_device_and_notification(audience, person)
        world._step_tokens()
        return world

    # --- what a test asks of the world -------------------------------------------------------

    def token(self, audience: str, kind: str = "access") -> str | None:
        """The bearer token of an audience (None for anonymous). Hospitals have no refresh
        token: they present their access token wherever a refresh token is asked."""
        if audience == ANONYMOUS:
            return None
        if audience in HOSPITALS:
            return self.hospital_tokens[audience]
        if audience in STEPS:
            return self.step_tokens[audience]
        account = self.staff if audience == STAFF else self.people[audience].account
        return account.refresh_token if kind == "refresh" else account.access_token

    def headers(self, audience: str, kind: str = "access") -> dict:
        token = self.token(audience, kind)
        return bearer(token) if token else {}

    def account(self, audience: str) -> Account:
        """The signed-in account behind an audience; patient-less audiences act on `patient`'s."""
        return self.staff if audience == STAFF else self.patient_account(audience)

    def new_session(self, audience: str) -> dict:
        """Tokens of a new session of a signed-in audience (patient or staff), as a full sign-in
        would start it: for a request that may end its session (logout, refresh)."""
        from flask_jwt_extended import decode_token

        from services.signin import sessions
        with self.app.app_context():
            account_id = decode_token(self.token(audience))["sub"]
            return sessions.start(current_ctx(), "staff" if audience == STAFF else "patient", account_id)

    def patient_account(self, audience: str) -> Account:
        """The patient account behind an audience (`patient`'s for those that are no patient)."""
        return self.people.get(audience, self.people[PATIENT]).account

    def ids_for(self, audience: str, kind: str) -> tuple[str, str]:
        """(own, foreign) ids of `kind` for `audience`. Audiences that own no such thing (staff,
        hospitals, anonymous) get `patient`'s as own and `other_patient`'s as foreign."""
        if kind == "sharer":  # only `caregiver` was shared with; the others get their own id
            own = self.people[PATIENT if audience == CAREGIVER else audience].id \
                if audience in PATIENTS else self.people[PATIENT].id
            return own, self.people[OTHER_PATIENT if audience != OTHER_PATIENT else PATIENT].id
        if kind in ("job", "resource_type"):  # a hospital's export, and one of its files
            mine = audience if audience in HOSPITALS else HOSPITAL
            theirs = OTHER_HOSPITAL if mine == HOSPITAL else HOSPITAL
            table = EXPORTED_TYPE if kind == "resource_type" else self.exports
            return table[mine], table[theirs]
        if kind == "national_id" and audience in HOSPITALS:  # the patient who consented to it
            mine = self.people[PATIENT if audience == HOSPITAL else OTHER_PATIENT]
            theirs = self.people[OTHER_PATIENT if audience == HOSPITAL else PATIENT]
            return mine.account.national_id, theirs.account.national_id
        owner = self.people.get(audience, self.people[PATIENT])
        foreign = self.people[OTHER_PATIENT] if owner is self.people[PATIENT] \
            else self.people[PATIENT]
        return self._id(owner, kind), self._id(foreign, kind)

    def missing_id(self, kind: str) -> str:
        """A well-formed id of `kind` that names nothing."""
        if kind == "national_id":
            return UNUSED_NATIONAL_ID
        if kind == "job":
            return "bulk_" + secrets.token_urlsafe(16)
        own = self._id(self.people[PATIENT], kind)
        prefix = own.split("_", 1)[0] + "_" if "_" in own else ""
        return prefix + secrets.token_urlsafe(16)[:max(1, len(own) - len(prefix))]

    def canaries_except(self, audience: str) -> set[str]:
        """Every other patient's telltale strings."""
        return set().union(*(p.canaries() for a, p in self.people.items() if a != audience))

    def issue_activation_code(self, national_id: str) -> str:
        """HOSPITAL's code, after its push of the person's visit (factories.activation_code)."""
        return factories.activation_code(self.client, self.hospitals[HOSPITAL], national_id,
                                         token=self.hospital_tokens[HOSPITAL])

    # --- building ----------------------------------------------------------------------------

    def _sign_up(self, audience: str) -> Person:
        account = Account(national_id=factories.next_national_id())
        name = f"Canary {audience} {secrets.token_hex(4)}"
        response = self.client.post("/v1/auth/register", json={
            "national_id": account.national_id, "password": account.password, "name": name,
            "activation_code": self.issue_activation_code(account.national_id)})
        assert response.status_code == 201, response.json
        factories.enroll_totp(self.client, account, None)
        return Person(account, id=response.json["id"], name=name,
                      ids={"session": account.session_id})

    def _push_records(self) -> None:
        for audience, person in self.people.items():
            nid, tag = person.account.national_id, audience.replace("_", "-")  # a FHIR id
            lab = lab_result(nid, f"lab-{tag}", code=f"canary-{secrets.token_hex(3)}")
            push(self.client, self.hospitals[HOSPITAL], bundle(lab),
                 token=self.hospital_tokens[HOSPITAL])
            push(self.client, self.hospitals[OTHER_HOSPITAL],
                 bundle(diagnosis(nid, f"dx-{tag}")),
                 token=self.hospital_tokens[OTHER_HOSPITAL])
            records = self.client.get("/v1/me/records", headers=person.account.auth).json
            person.ids["record"] = records["items"][0]["id"]
            person.ids["lab_code"] = lab["code"]["coding"][0]["code"]

    def _bulk_exports(self) -> None:
        """A finished Bulk Data export of each hospital."""
        for audience, token in self.hospital_tokens.items():
            response = self.client.get("/v1/hospital/$export", headers={
                **bearer(token), "Prefer": "respond-async"})
            assert response.status_code == 202, response.get_data(as_text=True)
            self.exports[audience] = response.headers["Content-Location"].rsplit("/", 1)[1]

    def _share(self) -> None:
        """`patient` lets `caregiver` read everything and `hospital` treat it; `other_patient`
        lets `other_hospital` treat it; `caregiver` grants research to `hospital` (so that every
        patient has a consent of its own)."""
        grants = [(PATIENT, {"type": "person",
                             "national_id": self.people[CAREGIVER].account.national_id},
                   "caregiving"),
                  (PATIENT, self._hospital_grantee(HOSPITAL), "treatment"),
                  (OTHER_PATIENT, self._hospital_grantee(OTHER_HOSPITAL), "treatment"),
                  (CAREGIVER, self._hospital_grantee(HOSPITAL), "research")]
        for audience, grantee, purpose in grants:
            response = self.client.post("/v1/me/consents", headers=self.account(audience).auth,
                                        json={"grantee": grantee, "categories": ["all"],
                                              "purpose": purpose})
            assert response.status_code == 201, response.json
            person = self.people[audience]
            person.ids.setdefault("consent", response.json["id"])
            person.receipt = person.receipt or response.json["receipt"]

    def _items_awaiting_approval(self) -> None:
        """For every patient, a consent a second staff account recorded (with a scan of the
        form), awaiting the world's staff account's approval (four eyes)."""
        recorder = factories.enroll_totp(self.client, factories.create_staff(
            self.app, "support.recorder"), None)
        for person in self.people.values():
            response = self.client.post(
                f"/v1/staff/patients/{person.id}/consents", headers=recorder.auth, json={
                    "grantee": self._hospital_grantee(HOSPITAL), "categories": ["lab"],
                    "purpose": "research", "evidence": "FORM-2026-0007",
                    "evidence_scan": {"content_type": "application/pdf",
                                      "data": "JVBERi0xLjcK"}})
            assert response.status_code == 202, response.json
            person.ids["item"] = response.json["id"]
            response = self.client.post(
                f"/v1/staff/patients/{person.id}/representatives", headers=recorder.auth,
                json={"representative_national_id": factories.next_national_id(),
                      "relationship": "guardian", "child_birth_date": "2015-05-01",
                      "evidence": "FORM-2026-0008"})
            assert response.status_code == 202, response.json
            person.ids["link"] = response.json["id"]

    def _step_tokens(self) -> None:
        """An mfa_token of `patient` (never exchanged), and an enrollment token of a patient
        who registered but has no second factor yet."""
        login = self.client.post("/v1/auth/login", json=self.people[PATIENT].account.login_body)
        self.step_tokens[PASSWORD_ONLY] = login.json["mfa_token"]
        newcomer = factories.registered_patient(self.client, self.hospitals[HOSPITAL])
        login = self.client.post("/v1/auth/login", json=newcomer.login_body)
        self.step_tokens[ENROLLING] = login.json["enrollment_token"]

    def _hospital_grantee(self, audience: str) -> dict:
        return {"type": "hospital", "id": self.hospitals[audience]["hospital_id"]}

    def _own_device_and_notification(self, audience: str, person: Person) -> None:
        auth = person.account.auth
        response = self.client.post("/v1/me/devices", headers=auth, json={
            "token": f"fcm-{audience}-{secrets.token_hex(8)}", "platform": "android"})
        assert response.status_code == 201, response.json
        person.ids["device"] = response.json["id"]
        inbox = self.client.get("/v1/me/notifications", headers=auth).json["items"]
        person.ids["notification"] = inbox[0]["id"]
        response = self.client.post("/v1/me/requests", headers=auth, json={
            "kind": "access", "details": f"Bản sao hồ sơ của {audience}"})
        assert response.status_code == 201, response.json
        person.ids["request"] = response.json["id"]

    @staticmethod
    def _id(person: Person, kind: str) -> str:
        if kind in ("sharer", "patient"):
            return person.id
        if kind == "national_id":
            return person.account.national_id
        return person.ids[kind]


def world_app():
    """A test app (as tests/conftest.py builds them) for a world outlived by one test."""
    from api import create_app
    from tests.conftest import test_config
    from tests.openapi_contract import ContractClient
    app = create_app(test_config())
    app.test_client_class = ContractClient  # every response is checked against the spec
    return app
