"""Load: many concurrent clients for a bounded time against one server (tests.benchmarks.server:
waitress x8 in a subprocess, embedded database unless MONGO_URI is set), then a check.

Mixed traffic: patients reading their records and inbox and granting and revoking consents;
a hospital pushing bundles with an Idempotency-Key (some sent again with the same key, some
while the first is still running), others without a key and sent twice; a second hospital
searching under the consents. Afterwards every pushed resource must be present exactly once,
in the hospital's export and in its patient's records list.

Prints counts per kind and status; exits 1 on any 5xx, failed connection or missing or
duplicated record.
    python -m tests.load [--seconds 30] [--clients 24] [--patients 6]
"""
import argparse
import json
import random
import sys
import threading
from collections import Counter

from tests.benchmarks import harness as h

WEIGHTS = {"records": 30, "notifications": 15, "push": 14, "push-retry": 8, "push-nokey": 5,
           "consent-grant": 6, "consent-revoke": 6, "hospital-search": 8}


class World:
    """What the clients share: accounts, tokens, and every push answered 200."""

    def __init__(self, server: h.Server, patients: int):
        http = h.Http(server.port)
        creds = server.credentials
        self.hospital_auth = h.bearer(h.hospital_token(http, creds["hospital"]))
        self.searcher_auth = h.bearer(h.hospital_token(http, creds["other_hospital"]))
        self.searcher_id = creds["other_hospital"]["hospital_id"]
        self.patients = []
        for n in range(patients):
            print(f"\r  enrolling patients: {n + 1}/{patients}", end="", flush=True)
            self.patients.append(h.enrolled_patient(http, self.hospital_auth,
                                                    h.national_id("0961", n)))
        print()
        http.close()
        self.lock = threading.Lock()
        self.pushes = []  # (key, body) of keyed pushes sent, for retries
        self.stored = {}  # resource id -> national ID, for every push answered 200
        self.bad_entries = 0

    def bundle(self, rng: random.Random, tag: str) -> tuple[bytes, dict]:
        owners = {f"load-{tag}-{i}": rng.choice(self.patients).national_id
                  for i in range(rng.randint(1, 10))}
        return h.bundle([h.lab(nid, rid, rng.randrange(3000), round(rng.uniform(3, 9), 1))
                         for rid, nid in owners.items()]), owners

    def answered(self, reply: h.Reply, owners: dict) -> None:
        if reply.status != 200:
            return
        statuses = [e["response"]["status"][:3] for e in reply.json()["entry"]]
        with self.lock:
            self.stored.update(owners)
            self.bad_entries += sum(s not in ("200", "201") for s in statuses)


def client_task(world: World, index: int):
    rng, made, consents = random.Random(index), 0, []

    def task(http: h.Http):
        nonlocal made
        kind = h.pick(WEIGHTS, rng)
        patient = rng.choice(world.patients)
        if kind == "records":
            return kind, http.request("GET", "/v1/me/records?limit=50", patient.auth).status
        if kind == "notifications":
            return kind, http.request("GET", "/v1/me/notifications", patient.auth).status
        if kind == "hospital-search":
            return kind, http.request("POST", "/v1/hospital/records/search", world.searcher_auth,
                                      json_body={"national_id": patient.national_id,
                                                 "purpose": "treatment"}).status
        if kind in ("push", "push-nokey") or (kind == "push-retry" and not world.pushes):
            made += 1
            body, owners = world.bundle(rng, f"{index}-{made}")
            key = f"load-{index}-{made}" if kind != "push-nokey" else None
            if key:
                with world.lock:
                    world.pushes.append((key, body, owners))
            reply = h.push(http, world.hospital_auth, body, key)
            world.answered(reply, owners)
            if kind == "push-nokey" and reply.status == 200:  # the same body again, no key
                reply = h.push(http, world.hospital_auth, body)
                world.answered(reply, owners)
            return kind, reply.status
        if kind == "push-retry":
            with world.lock:
                key, body, owners = rng.choice(world.pushes[-50:])
            reply = h.push(http, world.hospital_auth, body, key)
            world.answered(reply, owners)
            return kind, reply.status  # 409 while the first is still running
        if kind == "consent-revoke" and consents:
            owner, consent_id = consents.pop(rng.randrange(len(consents)))
            return kind, http.request("POST", f"/v1/me/consents/{consent_id}/revoke",
                                      owner.auth, json_body={}).status
        reply = http.request("POST", "/v1/me/consents", patient.auth, json_body={
            "grantee": {"type": "hospital", "id": world.searcher_id},
            "categories": [rng.choice(["lab", "all"])], "purpose": "treatment"})
        if reply.status == 201:
            consents.append((patient, reply.json()["id"]))
        return "consent-grant", reply.status

    return task


def server_errors(outcomes) -> str:
    bad = sum(n for o in outcomes for (_, status), n in o.counts.items()
              if not isinstance(status, int) or status >= 500)
    return f"5xx or failed: {bad}"


def check(world: World, port: int) -> list[str]:
    """Every resource answered 200 is in the export once and in its patient's list once."""
    http = h.Http(port)
    problems = []
    export = h.expect(http.request("GET", "/v1/hospital/export", world.hospital_auth), 200)
    lines = [json.loads(line) for line in export.body.decode().splitlines()]
    in_export = Counter(line["source_id"] for line in lines if "manifest" not in line)
    listed = Counter()
    for patient in world.patients:
        path = "/v1/me/records?limit=100"
        while path:
            page = h.expect(http.request("GET", path, patient.auth), 200).json()
            listed.update((patient.national_id, item["resource"]["id"]) for item in page["items"])
            path = page["next_cursor"] and f"/v1/me/records?limit=100&cursor={page['next_cursor']}"
    for rid, nid in sorted(world.stored.items()):
        if in_export[rid] != 1:
            problems.append(f"{rid}: {in_export[rid]} versions in the hospital export")
        if listed[(nid, rid)] != 1:
            problems.append(f"{rid}: listed {listed[(nid, rid)]} times for its patient")
    problems += [f"{rid}: in the export {n} times, though no push of it was answered 200"
                 for rid, n in sorted(in_export.items()) if rid not in world.stored]
    if world.bad_entries:
        problems.append(f"{world.bad_entries} entries answered other than 200/201")
    print(f"  checked {len(world.stored)} pushed resources: {len(in_export)} in the export, "
          f"{sum(listed.values())} in the patients' lists")
    return problems


def report(outcome: h.Outcome) -> int:
    print(f"\n{'kind':16} {'status':>8} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
    failures, shown = 0, set()
    for (kind, status), n in sorted(outcome.counts.items(), key=lambda kv: str(kv[0])):
        lat = outcome.latencies[kind]  # per kind, whatever the status: shown on its first row
        times = "" if kind in shown else \
            f" {h.percentile(lat, .5) * 1e3:8.1f} {h.percentile(lat, .99) * 1e3:8.1f}"
        shown.add(kind)
        print(f"{kind:16} {status!s:>8} {n:7d}{times}")
        failures += n if not isinstance(status, int) or status >= 500 else 0
    print(f"{outcome.total} requests in {outcome.seconds:.1f} s "
          f"({outcome.total / outcome.seconds:.1f}/s); 5xx or failed connections: {failures}")
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--patients", type=int, default=6)
    args = parser.parse_args(argv)
    print("Starting the server (waitress x8, subprocess, embedded database unless MONGO_URI)")
    with h.Server() as server:
        world = World(server, args.patients)
        outcome = h.drive("load", server.port, args.clients, args.seconds,
                          lambda index: client_task(world, index), progress=server_errors)
        failures = report(outcome)
        print("Checking that every pushed resource is stored exactly once")
        problems = check(world, server.port)
        memory = server.memory_kib()
    print(f"Server process memory: peak {memory['peak'] / 1024:.0f} MiB")
    for problem in problems[:20]:
        print(f"  PROBLEM {problem}")
    ok = not failures and not problems
    print("OK: no 5xx, every pushed resource stored exactly once" if ok else
          f"FAILED: {failures} 5xx or failed requests, {len(problems)} storage problems")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
