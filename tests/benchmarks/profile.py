"""Where the time goes: one push of new entries, or a run of record pages and their floor,
profiled with pyinstrument in this process (the benchmark server's app, through Flask's test
client: no HTTP, no threads, so the tree shows the app alone).
    python -m tests.benchmarks.profile ingest [entries] [records before]
    python -m tests.benchmarks.profile read [requests] [records]
"""
import sys
import time
from datetime import datetime, timezone

from pyinstrument import Profiler

from security.totp import code_at
from services import fhir
from services.operations import hospitals
from tests.benchmarks import harness as h
from tests.benchmarks import server
from tests.factories import PASSWORD
from tests.factories import current_ctx

READER = h.national_id("0921", 0)


def setup():
    app = server.build(port=8000)
    with app.app_context():
        hospital = hospitals.create_hospital(current_ctx(), "Profile Hospital")
    fhir.warm_up()
    client = app.test_client()
    token = client.post("/v1/auth/token", json={"client_id": hospital["client_id"],
                                                "client_secret": hospital["client_secret"]})
    return client, {"Authorization": f"Bearer {token.json['access_token']}",
                    "Content-Type": "application/fhir+json"}


def seed(client, auth: dict, size: int, reader_records: int = 0) -> None:
    resources = [h.lab(READER, f"reader-{n}", n * 37, 5.0) for n in range(reader_records)]
    resources += [h.lab(h.national_id("0941", n % 100), f"filler-{n}", n * 53, 6.1)
                  for n in range(len(resources), size)]
    for first in range(0, len(resources), 1000):
        client.post("/v1/hospital/bundles", data=h.bundle(resources[first:first + 1000]),
                    headers=auth)


def reader(client, auth: dict) -> tuple[dict, str]:
    """Register, enrol and sign in the reader: (its bearer header, its session id)."""
    code = client.post("/v1/hospital/activation-codes", json={"national_id": READER},
                       headers=auth).json["activation_code"]
    client.post("/v1/auth/register", json={"national_id": READER, "activation_code": code,
                                           "password": PASSWORD})
    login = client.post("/v1/auth/login", json={"national_id": READER, "password": PASSWORD})
    enrolment = h.bearer(login.json["enrollment_token"])
    secret = client.post("/v1/auth/totp/setup", headers=enrolment).json["secret"]
    signed_in = client.post("/v1/auth/totp/activate", headers=enrolment, json={
        "code": code_at(secret, datetime.now(timezone.utc))}).json
    return h.bearer(signed_in["access_token"]), signed_in["session_id"]


def profiled(label: str, action, times: int = 1) -> None:
    profiler = Profiler(interval=0.001)
    profiler.start()
    start = time.perf_counter()
    for _ in range(times):
        action()
    elapsed = time.perf_counter() - start
    profiler.stop()
    print(f"\n{label}: {elapsed / times * 1000:.1f} ms each")
    print(profiler.output_text(unicode=False, color=False))


def main(what: str = "ingest", count: int = 300, size: int = 200) -> None:
    client, auth = setup()
    if what == "ingest":
        seed(client, auth, size)
        body = h.bundle([h.lab(h.national_id("0951", n % 100), f"new-{n}", n, 4.2)
                         for n in range(count)])
        profiled(f"push of {count} new entries into {size} records",
                 lambda: client.post("/v1/hospital/bundles", data=body, headers=auth))
        return
    seed(client, auth, size, reader_records=60)  # a code is issued only once a record is
    patient_auth, session_id = reader(client, auth)
    for label, path, headers in (("floor", "/_bench/floor", {"X-Bench-Session": session_id}),
                                 ("GET /v1/me/records", "/v1/me/records?limit=50",
                                  patient_auth)):
        client.get(path, headers=headers)
        profiled(f"{label} at {size} records", lambda: client.get(path, headers=headers), count)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "ingest",
         *(int(arg) for arg in sys.argv[2:4]))
