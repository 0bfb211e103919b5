"""Benchmark: does an audit append cost the same with 2,000 entries stored as with none?

Appends through the recorder (head read, compare-and-set, insert) on the embedded database and
prints the cost per append in windows. Asserts nothing (timings belong in reports, not tests).
    python -m tests.benchmarks.audit_append [appends] [window]
"""
import statistics
import sys
import time

from api import create_app
from services.audit import recorder
from tests.conftest import test_config
from tests.factories import current_ctx


def append_times(appends: int) -> list[float]:
    app = create_app(test_config())
    times = []
    with app.app_context():
        for n in range(appends):
            patient = f"pat_{n % 50}"
            start = time.perf_counter()
            current_ctx().audit.record("records.read", actor={"type": "hospital", "id": "hosp_bench"},
                         patient_id=patient, purpose="treatment",
                         target={"record_id": f"rec_{n}"})
            times.append((time.perf_counter() - start) * 1000)
    return times


def main(appends: int = 2000, window: int = 200) -> None:
    times = append_times(appends)
    print(f"{appends} appends on the embedded database, ms per append by window")
    print(f"{'entries before':>15} {'median':>8} {'mean':>8} {'p90':>8}")
    for first in range(0, appends, window):
        chunk = times[first:first + window]
        p90 = statistics.quantiles(chunk, n=10)[-1]
        print(f"{first:>15} {statistics.median(chunk):8.3f} {statistics.fmean(chunk):8.3f} "
              f"{p90:8.3f}")
    start, end = statistics.median(times[:window]), statistics.median(times[-window:])
    print(f"first {window}: median {start:.3f} ms; last {window}: median {end:.3f} ms "
          f"(ratio {end / start:.2f})")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
