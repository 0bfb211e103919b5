"""Benchmark of the HTTP API, in one run on one server (waitress x8 in a subprocess, embedded
database unless MONGO_URI is set), with progress:

- GET /v1/me/records (a page of 50, the full path: token, session check, decryption, audit)
  against its bare floor on the same stack (/_bench/floor: one session look-up, the same page
  query, JSON) and /healthz, at each records-collection size given;
- ingest: 1,000-entry bundles through POST /v1/hospital/bundles against a raw insert_many of the
  same resources (/_bench/raw-insert), one request at a time;
- sign-in (password at production argon2 cost, then TOTP): p50/p99, one at a time;
- the server process's peak resident memory, also after 8 password checks at once.

Figures, not assertions: the machine is shared, so compare ratios taken in one run.
    python -m tests.benchmarks.api [--records 200,1000] [--seconds 10] [--clients 16]
                                   [--rounds 3] [--bundles 3] [--signins 20]
"""
import argparse
import json
import math
import threading
import time

from tests.benchmarks import harness as h

READER_RECORDS = 60  # more than one page of 50
BUNDLE_ENTRIES = 1000
FILLER_PATIENTS = 100  # records that are not the reader's belong to these (unregistered) people
GOALS = {"full / floor": 0.5, "ingest / raw": 0.25}


def concurrent_password_checks(server: h.Server, accounts: list, clients: int = 8) -> dict:
    """The server's memory after `clients` password checks at once (argon2 takes 64 MiB for
    each hash it runs)."""
    def check(patient):
        h.Http(server.port).request("POST", "/v1/auth/login", json_body={
            "national_id": patient.national_id, "password": h.PASSWORD})
    threads = [threading.Thread(target=check, args=(accounts[n % len(accounts)],))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return server.memory_kib()


def sign_in_latencies(http: h.Http, hospital_auth: dict, samples: int) -> tuple[list, list]:
    """Each account takes two timed sign-ins (this step's code, then the next step's)."""
    accounts = []
    for n in range(math.ceil(samples / 2)):
        print(f"\r  enrolling sign-in accounts: {n + 1}/{math.ceil(samples / 2)}", end="",
              flush=True)
        accounts.append(h.enrolled_patient(http, hospital_auth, h.national_id("0931", n)))
    print()
    times = []
    for n in range(samples):
        start = time.perf_counter()
        h.sign_in(http, accounts[n // 2], step_offset=n % 2)
        times.append(time.perf_counter() - start)
        print(f"\r  sign-in + TOTP: {n + 1}/{samples}", end="", flush=True)
    print()
    return times, accounts


def stats(http: h.Http) -> dict:
    return h.expect(http.request("GET", "/_bench/stats"), 200).json()


def seed_records(http: h.Http, hospital_auth: dict, size: int, reader: h.Patient) -> int:
    """Push (through the real ingestion path) until the records collection holds `size`; the
    reader's READER_RECORDS come first."""
    have = stats(http)["records"]
    resources = [h.lab(reader.national_id, f"reader-{n}", n * 37, 5.0 + n / 10)
                 for n in range(max(0, READER_RECORDS - have))]
    filler = have + len(resources)
    resources += [h.lab(h.national_id("0941", n % FILLER_PATIENTS), f"filler-{n}", n * 53, 6.1)
                  for n in range(filler, max(filler, size))]
    for first in range(0, len(resources), BUNDLE_ENTRIES):
        chunk = resources[first:first + BUNDLE_ENTRIES]
        print(f"\r  seeding records: {have + first + len(chunk)}/{size}", end="", flush=True)
        h.expect(h.push(http, hospital_auth, h.bundle(chunk)), 200)
    print()
    return stats(http)["records"]


def read_paths(port: int, reader: h.Patient, hospital_auth: dict, args) -> dict:
    """{path label: Outcome} for /healthz, the floor and the full records path."""
    paths = {
        "/healthz": ("/healthz", {}),
        "floor (/_bench/floor)": ("/_bench/floor", {"X-Bench-Session": reader.session_id}),
        "GET /v1/me/records": ("/v1/me/records?limit=50", reader.auth),
    }
    results = {label: h.Outcome() for label in paths}
    # Interleaved slices: the machine is shared, and a load that comes and goes then weighs on
    # every path alike instead of on whichever ran while it lasted.
    for turn in range(args.rounds):
        for label, (path, headers) in paths.items():
            def make_task(_index, path=path, headers=headers):
                return lambda http: ("read", http.request("GET", path, headers).status)
            if turn == 0:
                h.drive(f"{label} warm-up", port, args.clients, 1, make_task)
            slice_ = h.drive(f"{label} ({turn + 1}/{args.rounds})", port, args.clients,
                             args.seconds / args.rounds, make_task)
            results[label].merge(slice_)
            results[label].seconds += slice_.seconds
    return results


def ingest(http: h.Http, hospital_auth: dict, bundles: int) -> list[dict]:
    """Push `bundles` fresh 1,000-entry bundles, each followed by a raw insert of the same."""
    rows = []
    for b in range(bundles):
        body = h.bundle([h.lab(h.national_id("0951", n % FILLER_PATIENTS), f"ingest-{b}-{n}",
                               n * 11, 4.2) for n in range(BUNDLE_ENTRIES)])
        before = stats(http)["records"]
        print(f"\r  ingest: bundle {b + 1}/{bundles} ({before} records stored)  ", end="",
              flush=True)
        start = time.perf_counter()
        reply = h.expect(h.push(http, hospital_auth, body), 200)
        full = time.perf_counter() - start
        created = sum(e["response"]["status"].startswith("201") for e in reply.json()["entry"])
        raw = {}
        for into in ("scratch", "records"):
            start = time.perf_counter()
            h.expect(http.request("POST", f"/_bench/raw-insert?into={into}",
                                  {"Content-Type": "application/json"}, body), 200)
            raw[into] = time.perf_counter() - start
        h.expect(http.request("DELETE", "/_bench/raw-insert"), 200)
        start = time.perf_counter()
        valid = h.expect(http.request("POST", "/_bench/validate",
                                      {"Content-Type": "application/json"}, body), 200)
        validate = time.perf_counter() - start
        assert valid.json()["valid"] == BUNDLE_ENTRIES, valid.json()
        rows.append({"before": before, "created": created, "full": full, "raw": raw["scratch"],
                     "raw_records": raw["records"], "validate": validate})
    print()
    return rows


def report(args, signins, reads, ingests, memory) -> None:
    print(f"\nReads: {args.clients} keep-alive clients, {args.seconds:.0f} s per path, page of "
          f"50 ({READER_RECORDS} records are the reader's)")
    print(f"{'records':>8}  {'path':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'x healthz':>9} {'x floor':>8} {'non-200':>8}")
    for size, results in reads.items():
        rate = {label: o.total / o.seconds for label, o in results.items()}
        healthz, floor = rate["/healthz"], rate["floor (/_bench/floor)"]
        for label, outcome in results.items():
            lat = outcome.latencies["read"]
            bad = sum(n for (_, status), n in outcome.counts.items() if status != 200)
            print(f"{size:>8}  {label:24} {rate[label]:8.1f} {h.percentile(lat, .5) * 1e3:8.1f} "
                  f"{h.percentile(lat, .99) * 1e3:8.1f} {rate[label] / healthz:9.2f} "
                  f"{rate[label] / floor:8.2f} {bad:8d}")
    print(f"\nIngest: {BUNDLE_ENTRIES}-entry batch bundles, one request at a time")
    print("  raw: insert_many of the resources into an unindexed collection; raw@records: the same "
          "into `records`, under its indexes;\n  validate: the bundle parsed and validated as the "
          "ingestion does, nothing stored (the best any validating ingest could do)")
    print(f"{'records before':>14} {'created':>8} {'full s':>8} {'entries/s':>10} {'raw s':>8} "
          f"{'full/raw':>8} {'raw@records s':>13} {'full/raw@records':>16} {'validate s':>10} "
          f"{'validate/raw':>12}")
    for row in ingests:
        print(f"{row['before']:>14} {row['created']:>8} {row['full']:8.2f} "
              f"{BUNDLE_ENTRIES / row['full']:10.0f} {row['raw']:8.3f} "
              f"{row['raw'] / row['full']:8.3f} {row['raw_records']:13.3f} "
              f"{row['raw_records'] / row['full']:16.3f} {row['validate']:10.3f} "
              f"{row['raw'] / row['validate']:12.3f}")
    print(f"\nSign-in (password, argon2id t=3 m=64MiB p=4, then TOTP), {len(signins)} one at a "
          f"time: p50 {h.percentile(signins, .5) * 1e3:.0f} ms, "
          f"p99 {h.percentile(signins, .99) * 1e3:.0f} ms")
    mib = {k: {n: v / 1024 for n, v in m.items()} for k, m in memory.items()}
    print(f"Server process memory (resident, peak so far): after the sequential sign-ins "
          f"{mib['sequential']['now']:.0f}/{mib['sequential']['peak']:.0f} MiB; after 8 "
          f"password checks at once {mib['concurrent']['now']:.0f}/"
          f"{mib['concurrent']['peak']:.0f} MiB; at the end {mib['end']['now']:.0f}/"
          f"{mib['end']['peak']:.0f} MiB")
    print("\nGoals")
    for size, results in reads.items():
        ratio = (results["GET /v1/me/records"].total / results["GET /v1/me/records"].seconds) / (
            results["floor (/_bench/floor)"].total / results["floor (/_bench/floor)"].seconds)
        _goal(f"full / floor at {size} records", ratio, GOALS["full / floor"])
    if ingests:
        ratio = sum(r["raw"] for r in ingests) / sum(r["full"] for r in ingests)
        _goal("ingest / raw insert_many", ratio, GOALS["ingest / raw"])
        ratio = sum(r["raw_records"] for r in ingests) / sum(r["full"] for r in ingests)
        _goal("ingest / raw insert_many@records", ratio, GOALS["ingest / raw"])
        ratio = sum(r["raw"] for r in ingests) / sum(r["validate"] for r in ingests)
        print(f"  {'validation alone / raw':32} {ratio:6.3f}  (the ceiling of ingest / raw "
              "insert_many: validating, storing nothing)")


def _goal(label: str, ratio: float, goal: float) -> None:
    print(f"  {label:32} {ratio:6.3f}  (goal >= {goal})  {'met' if ratio >= goal else 'MISSED'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", default="200,1000", help="collection sizes, ascending")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved slices per path")
    parser.add_argument("--bundles", type=int, default=3)
    parser.add_argument("--signins", type=int, default=20)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.records.split(","))
    print("Starting the server (waitress x8, subprocess, embedded database unless MONGO_URI)")
    with h.Server() as server:
        http = h.Http(server.port)
        hospital_auth = h.bearer(h.hospital_token(http, server.credentials["hospital"]))
        reader = h.enrolled_patient(http, hospital_auth, h.national_id("0921", 0))
        signins, accounts = sign_in_latencies(http, hospital_auth, max(args.signins, 1))
        memory = {"sequential": server.memory_kib()}
        memory["concurrent"] = concurrent_password_checks(server, accounts)
        reads = {}
        for size in sizes:
            stored = seed_records(http, hospital_auth, size, reader)
            print(f"Reads at {stored} records in the collection")
            reads[stored] = read_paths(server.port, reader, hospital_auth, args)
        ingests = ingest(http, hospital_auth, args.bundles)
        memory["end"] = server.memory_kib()
        final = stats(http)
    report(args, signins, reads, ingests, memory)
    print(f"\nCollections at the end: {json.dumps(final)}")


if __name__ == "__main__":
    main()
