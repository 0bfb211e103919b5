"""A backup and restore rehearsal, as docs/deployment.md describes it: the database dumped
collection by collection to extended JSON files (what mongodump writes, as JSON), restored into
an empty database of a new app with the same keys; every record and consent reads back through
the API and `flask verify-audit` reports the chain intact, against the signed checkpoints kept
outside the database too. A dump older than the last checkpoint is seen as a rolled-back chain."""
from pathlib import Path

import pytest
from bson import json_util
from bson.json_util import JSONMode, JSONOptions

from tests import factories
from tests.factories import bearer

# Canonical extended JSON keeps every BSON type (dates, binary, 64-bit ints) as mongodump does.
DUMP_JSON = JSONOptions(json_mode=JSONMode.CANONICAL, tz_aware=True)


def raw_database(app):
    """The database itself, not the test run's query recorder (a dump reads whole collections)."""
    return app.extensions["mongo_client"][app.config["MONGO_DB_NAME"]]


def dump(app, folder: Path) -> list[str]:
    folder.mkdir()
    names = sorted(raw_database(app).list_collection_names())
    for name in names:
        documents = list(raw_database(app)[name].find())
        (folder / f"{name}.json").write_text(json_util.dumps(documents, json_options=DUMP_JSON))
    return names


def restore(app, folder: Path) -> None:
    """As `mongorestore --drop`: each dumped collection replaces the one there (the new app's
    start-up made an empty audit chain head, which the dump's head replaces)."""
    db = raw_database(app)
    for path in sorted(folder.glob("*.json")):
        documents = json_util.loads(path.read_text(), json_options=DUMP_JSON)
        db[path.stem].delete_many({})
        if documents:
            db[path.stem].insert_many(documents)


def verify_audit(app):
    return app.test_cli_runner().invoke(args=["verify-audit"])


@pytest.fixture
def checkpoints(tmp_path):
    return {"AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
            "AUDIT_CHECKPOINT_EVERY": 3}


@pytest.fixture
def world(app_with_checkpoints, clock):
    """A registered patient with records, and a consent to a carer, made through the API."""
    app = app_with_checkpoints
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    patient = factories.signed_in_patient(client, hospital, clock)
    response = factories.push(client, hospital, factories.bundle(
        factories.lab_result(patient.national_id), factories.diagnosis(patient.national_id)))
    assert response.status_code == 200, response.json
    carer = factories.signed_in_patient(client, hospital, clock)
    consent = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": factories.person(carer), "categories": ["lab"], "purpose": "treatment"})
    assert consent.status_code == 201, consent.json
    return {"client": client, "patient": patient, "carer": carer,
            "records": client.get("/v1/me/records", headers=patient.auth).json,
            "consents": client.get("/v1/me/consents", headers=patient.auth).json,
            "shared": client.get("/v1/me/shared-with-me", headers=carer.auth).json}


@pytest.fixture
def app_with_checkpoints(make_app, checkpoints):
    return make_app(**checkpoints)


def test_a_restored_dump_reads_back_every_record_and_the_audit_chain_holds(
        app_with_checkpoints, make_app, checkpoints, world, tmp_path, clock):
    assert verify_audit(app_with_checkpoints).exit_code == 0
    names = dump(app_with_checkpoints, tmp_path / "dump")
    assert {"patients", "records", "consents", "audit_log", "audit_heads"} <= set(names)

    restored = make_app(**checkpoints)  # a new, empty database; the same keys
    assert restored.config["MONGO_DB_NAME"] != app_with_checkpoints.config["MONGO_DB_NAME"]
    restore(restored, tmp_path / "dump")
    client, patient = restored.test_client(), world["patient"]

    factories.sign_in(client, patient, clock)  # password and TOTP as stored before
    assert client.get("/v1/me/records", headers=patient.auth).json == world["records"]
    assert len(factories.records_of(client, patient)) == 2
    assert client.get("/v1/me/consents", headers=patient.auth).json == world["consents"]
    carer = factories.sign_in(client, world["carer"], clock)
    assert client.get("/v1/me/shared-with-me", headers=carer.auth).json == world["shared"]
    result = verify_audit(restored)
    assert result.exit_code == 0 and "audit chain intact" in result.output, result.output


def test_a_dump_older_than_the_last_signed_checkpoint_is_reported_as_rolled_back(
        app_with_checkpoints, make_app, checkpoints, world, tmp_path, clock):
    dump(app_with_checkpoints, tmp_path / "dump")
    client, patient = world["client"], world["patient"]
    for _ in range(4):  # enough audited activity for a checkpoint after the dump
        assert client.get("/v1/me/records", headers=patient.auth).status_code == 200
    assert verify_audit(app_with_checkpoints).exit_code == 0

    restored = make_app(**checkpoints)
    restore(restored, tmp_path / "dump")
    result = verify_audit(restored)
    assert result.exit_code == 1, result.output
    assert "checkpoint" in result.output, result.output
