"""Concurrent keep-alive clients driven for a bounded time, with progress once a second, and
what they saw (used through tests.benchmarks.harness)."""
import random
import threading
import time
from dataclasses import dataclass, field

@dataclass
class Outcome:
    """What one run of `drive` saw: latencies (s) per kind and counts per (kind, status)."""
    seconds: float = 0.0
    latencies: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def add(self, kind: str, status, latency: float) -> None:
        self.latencies.setdefault(kind, []).append(latency)
        self.counts[(kind, status)] = self.counts.get((kind, status), 0) + 1

    def merge(self, other: "Outcome") -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def drive(label: str, port: int, clients: int, seconds: float, make_task,
          progress=None) -> Outcome:
    """Run `clients` threads for `seconds`, each with its own connection, calling
    task = make_task(index) as task(http) -> (kind, status) again and again. A task that raises
    counts as kind "failed" with the error's name as status. Prints progress once a second."""
    from tests.benchmarks.harness import Http  # the harness imports this module
    outcomes = [Outcome() for _ in range(clients)]
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        http, task, seen = Http(port), make_task(index), outcomes[index]
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                kind, status = task(http)
            except Exception as error:  # counted and shown, never a silently dead client
                kind, status = "failed", type(error).__name__
                http.close()
            seen.add(kind, status, time.perf_counter() - start)
        http.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))
        done, elapsed = sum(o.total for o in outcomes), time.monotonic() - began
        extra = f"  {progress(outcomes)}" if progress else ""
        print(f"\r  {label}: {min(elapsed, seconds):5.1f}/{seconds:.0f} s  {done:7d} requests  "
              f"{done / elapsed:8.1f}/s{extra}   ", end="", flush=True)
    print()
    result = Outcome(seconds=time.monotonic() - began)
    for outcome in outcomes:
        result.merge(outcome)
    return result


def pick(weights: dict, rng: random.Random) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
