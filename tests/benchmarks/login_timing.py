"""Benchmark: does a failed sign-in take as long for an unknown account as for a wrong password?

Prints figures at production argon2 cost; asserts nothing (timings belong in reports, not tests).
    python -m tests.benchmarks.login_timing [rounds]
"""
import statistics
import sys
import time

from api import create_app
from tests.conftest import test_config
from tests.factories import PASSWORD, registered_patient
from services.operations import hospitals
from tests.factories import current_ctx


def measure(client, body: dict, rounds: int, label: str) -> list[float]:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        client.post("/v1/auth/login", json=body)
        times.append((time.perf_counter() - start) * 1000)
        print(f"\r  {label}: {i + 1}/{rounds}", end="", flush=True)
    print()
    return times


def main(rounds: int = 30) -> None:
    app = create_app(test_config(ARGON2_TIME_COST=3, ARGON2_MEMORY_KIB=65536,
                                 ARGON2_PARALLELISM=4, LOCKOUT_THRESHOLD=10**6))
    client = app.test_client()
    with app.app_context():
        hospital = hospitals.create_hospital(current_ctx(), "Bench Hospital")
    known = registered_patient(client, hospital)
    cases = {
        "wrong password, registered patient": {**known.login_body, "password": "wrong " + PASSWORD},
        "unknown national ID": {"national_id": "099999999999", "password": "wrong " + PASSWORD},
        "right password (for scale)": known.login_body,
    }
    print(f"argon2id t=3 m=64MiB p=4, {rounds} sign-ins per case")
    results = {label: measure(client, body, rounds, label) for label, body in cases.items()}
    print(f"{'case':40} {'median ms':>10} {'p90 ms':>8}")
    for label, times in results.items():
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{label:40} {statistics.median(times):10.1f} {p90:8.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
