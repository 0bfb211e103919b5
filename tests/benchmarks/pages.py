"""Issue 17's figures, side by side in one run, in this process (the benchmark server's app on the
embedded database, through Flask's test client: no HTTP, no threads):

- a page of 50 of GET /v1/me/records for a reader who owns 5,000 records, against its floor
  (/_bench/floor: one session look-up, the same page query, JSON) and the ratio;
- 1,000-entry bundles pushed as `transaction` against the same as `batch`, interleaved, and the
  ratio;
- the round trips each request sends (tests/indexcheck/recorder.py counts every query, insert
  and bulk write the application sends; the floor's own session look-up, made from tests/, is
  not counted).

Figures, not assertions: the machine is shared, so compare ratios taken in one run.
    python -m tests.benchmarks.pages [--records 5000] [--requests 20] [--bundles 3]
"""
import argparse
import statistics
import time

from models.db import add_handle_hook
from tests.benchmarks import harness as h
from tests.benchmarks import profile
from tests.indexcheck import recorder as query_recorder

GOALS = {"page ms": 60, "page / floor": 0.8, "transaction / batch": 0.8}
PAGE = "/v1/me/records?limit=50"


def timed(action) -> tuple[float, int]:
    """(seconds, round trips) of one call of `action`, which must answer 200."""
    with query_recorder.recording() as recorder:
        start = time.perf_counter()
        response = action()
        elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"expected 200, got {response.status_code}: {response.data[:300]!r}")
    return elapsed, recorder.sent


def reads(client, patient_auth: dict, session_id: str, requests: int) -> dict:
    """{label: [(seconds, round trips)]}, the two paths taking turns."""
    paths = {"GET /v1/me/records": lambda: client.get(PAGE, headers=patient_auth),
             "floor (/_bench/floor)": lambda: client.get(
                 "/_bench/floor", headers={"X-Bench-Session": session_id})}
    for action in paths.values():
        action()  # warm-up
    results = {label: [] for label in paths}
    for n in range(requests):
        print(f"\r  reads: {n + 1}/{requests}", end="", flush=True)
        for label, action in paths.items():
            results[label].append(timed(action))
    print()
    return results


def ingests(client, auth: dict, bundles: int, entries: int) -> dict:
    """{bundle type: [(seconds, round trips)]}: fresh resources each time, types taking turns."""
    results = {"transaction": [], "batch": []}
    for b in range(bundles):
        for kind in results:
            print(f"\r  ingest: {kind} bundle {b + 1}/{bundles}      ", end="", flush=True)
            body = h.json.dumps(h.factories.bundle(
                *(h.lab(h.national_id("0951", n % 100), f"{kind}-{b}-{n}", n * 11, 4.2)
                  for n in range(entries)), bundle_type=kind)).encode()
            results[kind].append(timed(lambda: client.post("/v1/hospital/bundles", data=body,
                                                           headers=auth)))
    print()
    return results


def _row(label: str, samples: list[tuple[float, int]], unit: float = 1e3) -> float:
    times = [s for s, _ in samples]
    trips = sorted({t for _, t in samples})
    median = statistics.median(times)
    print(f"  {label:24} median {median * unit:9.1f}  min {min(times) * unit:9.1f}  "
          f"round trips {'/'.join(map(str, trips))}")
    return median


def _goal(label: str, value: float, goal: float, at_most: bool = False) -> None:
    met = value <= goal if at_most else value >= goal
    print(f"  {label:32} {value:8.3f}  (goal {'<=' if at_most else '>='} {goal})  "
          f"{'met' if met else 'MISSED'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="the reader's records")
    parser.add_argument("--requests", type=int, default=20, help="reads of each path")
    parser.add_argument("--bundles", type=int, default=3, help="bundles of each type")
    parser.add_argument("--entries", type=int, default=1000, help="entries per bundle")
    args = parser.parse_args(argv)
    add_handle_hook(query_recorder.watch)
    keep = query_recorder.Recorder()
    query_recorder.install(keep)  # the app's database handle is then a counting proxy
    client, auth = profile.setup()
    print(f"Seeding the reader's {args.records} records (1,000-entry batch bundles)")
    start = time.perf_counter()
    profile.seed(client, auth, args.records, reader_records=args.records)
    print(f"  {time.perf_counter() - start:.1f} s")
    patient_auth, session_id = profile.reader(client, auth)
    read = reads(client, patient_auth, session_id, args.requests)
    ingest = ingests(client, auth, args.bundles, args.entries)
    print(f"\nA page of 50 for a reader who owns {args.records} records (ms), "
          f"{args.requests} each, taking turns")
    page = _row("GET /v1/me/records", read["GET /v1/me/records"])
    floor = _row("floor (/_bench/floor)", read["floor (/_bench/floor)"])
    print(f"{args.entries}-entry bundles (s), {args.bundles} each, taking turns")
    transaction = _row("transaction", ingest["transaction"], unit=1)
    batch = _row("batch", ingest["batch"], unit=1)
    print("\nGoals (medians)")
    _goal("records page ms", page * 1e3, GOALS["page ms"], at_most=True)
    _goal("floor / records page", floor / page, GOALS["page / floor"])
    _goal("batch / transaction", batch / transaction, GOALS["transaction / batch"])
    query_recorder.uninstall(keep)


if __name__ == "__main__":
    main()
