"""flask rotate-keys: every sealed value re-sealed with the active key, old ones readable until
then, and a value no key opens reported without stopping the rest."""
import base64
import os

from api.extensions import install_context
from tests import factories
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def app_sealing_with(make_app, key: str):
    """An app whose data is sealed with `key` (id "old"), a hospital and a signed-in patient."""
    app = make_app(DATA_ENCRYPTION_KEY=key, DATA_ENCRYPTION_KEY_ID="old")
    with app.app_context():
        hospital = factories.create_hospital()
    return app, hospital


def restart_with_new_key(app, old_key: str | None) -> None:
    """The same data, the server restarted with a new active key (and the old one listed)."""
    app.config.update(DATA_ENCRYPTION_KEY=new_key(), DATA_ENCRYPTION_KEY_ID="new",
                      DATA_ENCRYPTION_OLD_KEYS={"old": old_key} if old_key else {})
    install_context(app)


def test_rotate_keys_reseals_everything_and_old_values_stay_readable(make_app, clock):
    old_key = new_key()
    app, hospital = app_sealing_with(make_app, old_key)
    client = app.test_client()
    account = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(account.national_id)), key="rotation-1")
    export = client.get("/v1/hospital/$export", headers={  # its files are sealed too
        **factories.bearer(factories.hospital_token(client, hospital)), "Prefer": "respond-async"})
    assert export.status_code == 202
    # Every kind of sealed value: a person grantee's national ID, a push token, staff TOTP.
    carer = factories.registered_patient(client, hospital)
    assert client.post("/v1/me/consents", headers=account.auth, json={
        "grantee": {"type": "person", "national_id": carer.national_id},
        "categories": ["lab"], "purpose": "caregiving"}).status_code == 201
    assert client.post("/v1/me/devices", headers=account.auth, json={
        "token": "fcm-token-rotation", "platform": "android"}).status_code == 201
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    # What staff record from signed forms: a consent with its scan, a child's representative.
    owner = factories.owner_id(client, account)
    assert client.post(f"/v1/staff/patients/{owner}/consents", headers=staff.auth, json={
        "grantee": {"type": "hospital", "id": hospital["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment", "evidence": "FORM-1", "evidence_scan": {
            "content_type": "application/pdf", "data": "JVBERi0xLjcK"}}).status_code == 202
    assert client.post(f"/v1/staff/patients/{owner}/representatives", headers=staff.auth, json={
        "representative_national_id": carer.national_id, "relationship": "parent",
        "child_birth_date": "2016-01-01", "evidence": "FORM-2"}).status_code == 202
    db = app.extensions["mongo_db"]
    restart_with_new_key(app, old_key)
    assert client.get("/v1/me/records", headers=account.auth).status_code == 200
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "values re-sealed" in result.output
    # Every collection: a sealed field that rotate-keys does not know of stays under the old key.
    dump = "".join(str(list(db[name].find())) for name in db.list_collection_names())
    assert "v2:old:" not in dump and "v2:new:" in dump
    again = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert "0 values re-sealed" in again.output
    # The old key is no longer needed.
    app.config.update(DATA_ENCRYPTION_OLD_KEYS={})
    install_context(app)
    records = client.get("/v1/me/records", headers=account.auth, query_string={"category": "lab"})
    assert records.status_code == 200
    assert [r["resource"]["valueQuantity"]["value"] for r in records.json["items"]] == [5.4]
    assert client.get("/v1/me", headers=account.auth).json["national_id"] == account.national_id
    shared = [c for c in client.get("/v1/me/consents", headers=account.auth).json
              if c["grantee"]["type"] == "person"]
    assert [c["grantee"]["national_id"] for c in shared] == [carer.national_id]
    with app.app_context():  # a scan and a representative open with the new key alone
        from services.sharing import approvals
        item = db.consents.find_one({"evidence_scan_id": {"$exists": True}})["_id"]
        assert approvals.scan(current_ctx(), item, "stf_x")["data"].startswith(b"%PDF")
        from services.sharing import representatives
        [link] = list(db.representatives.find())
        assert representatives.view(current_ctx(), link)["child_birth_date"].isoformat() == "2016-01-01"
        # Its seal holds over the re-sealed birth date: the link is still judged.
        assert [c.id for c in representatives.consents_between(current_ctx(), 
            link["child_id"], link["representative_key"])] == [link["_id"]]
    push(client, hospital, bundle(lab_result(account.national_id, "lab-2")))
    sent = app.test_cli_runner().invoke(args=["send-notifications", "--once"])
    counts = dict(pair.split("=") for pair in sent.output.split() if "=" in pair)
    assert sent.exit_code == 0 and counts["sent"] == counts["claimed"] != "0", sent.output


def test_rotate_keys_carries_on_past_a_value_no_key_opens(make_app, clock):
    old_key = new_key()
    app, hospital = app_sealing_with(make_app, old_key)
    client = app.test_client()
    factories.signed_in_patient(client, hospital, clock)
    factories.signed_in_patient(client, hospital, clock)
    db = app.extensions["mongo_db"]
    unreadable = "v2:old:" + "A" * 48
    db.patients.update_one({"_id": db.patients.find_one()["_id"]}, {"$set": {"name": unreadable}})
    restart_with_new_key(app, old_key)
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 1 and "1 values open with no key held" in result.output
    sealed = [v for doc in db.patients.find() for v in doc.values()
              if isinstance(v, str) and v.startswith("v2:")]
    assert [v for v in sealed if v.startswith("v2:old:")] == [unreadable]
