"""A client generated from /v1/openapi.json by openapi-python-client (a real generator, as an
integrator would use) builds without a warning, and talks to the app in-process: its methods
carry the operationIds' names and parse the answers into its models."""
import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests import factories
from tests.factories import bundle, lab_result

CONFIG = Path(__file__).parent / "generated" / "client_config.yml"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported (generated once for the module)."""
    from api import create_app
    from tests.conftest import test_config
    folder = tmp_path_factory.mktemp("client")
    spec = create_app(test_config()).test_client().get("/v1/openapi.json").json
    (folder / "spec.json").write_text(json.dumps(spec))
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(folder / "spec.json"),
                          "--meta", "none", "--config", str(CONFIG),
                          "--output-path", str(folder / "phr_client")],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("phr_client"), run.stdout + run.stderr
    finally:
        sys.path.remove(str(folder))


def bound(package, app, token: str):
    """An AuthenticatedClient whose HTTP goes to the app in-process."""
    client = package.AuthenticatedClient(base_url="http://testserver", token=token)
    return client.set_httpx_client(httpx.Client(
        transport=httpx.WSGITransport(app=app), base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"}))


def test_the_generator_builds_the_client_without_a_warning(generated):
    package, output = generated
    assert "WARNING" not in output and "Warning" not in output, output
    methods = {p.stem for p in Path(package.__file__).parent.glob("api/*/*.py")}
    assert {"list_records", "push_bundle", "grant_consent", "hospital_export"} <= methods


def test_a_hospital_pushes_and_a_patient_reads_through_the_generated_client(
        generated, app, client, hospital, patient):
    package, _ = generated
    push_bundle = importlib.import_module("phr_client.api.hospital.push_bundle")
    hospital_export = importlib.import_module("phr_client.api.hospital.hospital_export")
    list_records = importlib.import_module("phr_client.api.records.list_records")
    body = importlib.import_module("phr_client.models.fhir_bundle_in").FhirBundleIn.from_dict(
        bundle(lab_result(patient.national_id, "lab-gen", value=6.6)))
    as_hospital = bound(package, app, factories.hospital_token(client, hospital))
    pushed = push_bundle.sync_detailed(client=as_hospital, body=body)
    assert pushed.status_code == 200
    assert pushed.parsed.to_dict()["type"] == "batch-response"
    exported = hospital_export.sync_detailed(client=as_hospital)
    assert exported.status_code == 200 and b"lab-gen" in exported.content
    page = list_records.sync(client=bound(package, app, patient.access_token))
    values = [item.to_dict()["resource"].get("valueQuantity", {}).get("value")
              for item in page.items]
    assert 6.6 in values
