"""Mutation testing of the sign-in code, with its score: `python -m tests.mutation_score`.

Runs `mutmut run` (configured in setup.cfg: security/, the sign-in, lockout, session and
registration services, models/throttles.py), showing mutmut's progress line as it goes, then
counts the verdicts and prints killed / total and the percentage. A fresh run (the default)
deletes mutants/ first, so no verdict is carried over from an older run; `--keep` reuses
mutmut's cache and only tests mutants without a verdict (quick, after a small change).
Exits 1 when the score is under `--min` percent (default 90), or mutmut fails.
"""
import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mutmut's verdicts that mean a test noticed the mutant.
KILLED = {"killed", "timeout", "caught by type check"}


def mutmut(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    return subprocess.run(command, cwd=ROOT, text=True, capture_output=capture, check=False)


def verdicts() -> dict[str, str]:
    """{mutant name: status} for every mutant, as `mutmut results --all true` lists them."""
    listed = mutmut("results", "--all", "true", capture=True)
    if listed.returncode != 0:
        sys.exit(listed.stdout + listed.stderr)
    pairs = (line.strip().rsplit(": ", 1) for line in listed.stdout.splitlines() if ": " in line)
    return {name: status for name, status in pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse verdicts in mutants/")
    parser.add_argument("--min", type=float, default=90.0, help="lowest passing score, percent")
    options = parser.parse_args()
    if not options.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    started = time.monotonic()
    run = mutmut("run")
    minutes = (time.monotonic() - started) / 60
    if run.returncode != 0:
        print(f"mutmut run failed with exit code {run.returncode}", file=sys.stderr)
        return 1
    found = verdicts()
    counts = Counter(found.values())
    killed, total = sum(counts[s] for s in KILLED), len(found)
    score = 100 * killed / total if total else 0.0
    print()
    print("verdicts: " + ", ".join(f"{status} {n}" for status, n in counts.most_common()))
    survivors = sorted(name for name, status in found.items() if status not in KILLED)
    if survivors:
        print(f"not killed ({len(survivors)}; `mutmut show NAME` shows one):")
        for name in survivors:
            print(f"    {name}: {found[name]}")
    print(f"mutation score: {killed} / {total} killed = {score:.1f}%  "
          f"(run took {minutes:.1f} min)")
    return 0 if score >= options.min else 1


if __name__ == "__main__":
    sys.exit(main())
