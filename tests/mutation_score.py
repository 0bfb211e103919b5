"""Mutation testing with its score: `python -m tests.mutation_score [--scope signin|data|insider]`.

Runs `mutmut run` over one scope, showing mutmut's progress line as it goes, then counts the
verdicts and prints killed / total and the percentage. Scopes (setup.cfg sections):

    signin (default)  [mutmut]       security/, the sign-in, lockout, session and registration
                                     services, models/throttles.py
    data              [mutmut:data]  consent/, notifications/, and the records, consent,
                                     shared-access, notification, push-outbox and ingest services
    insider           [mutmut:insider]  what issue 15 changed: consent engine, lifecycle and model;
                                     the approvals, representatives, evidence, consents,
                                     shared-access, registration and admin services;
                                     models/consents.py, models/representatives.py,
                                     security/audit_anchor.py

mutmut 3.8.1 reads only setup.cfg's [mutmut] section; for another scope this script starts
mutmut with that section's options in its place (in memory: setup.cfg is not rewritten), so a
bare `mutmut ...` in the shell always means the signin scope. A fresh run (the default)
deletes mutants/ first, so no verdict is carried over from an older run; `--keep` reuses
mutmut's cache and only tests mutants without a verdict (quick, after a small change), and
refuses when mutants/ holds another scope. Names or globs after the options re-run those
mutants only. Anything after `--` is handed to mutmut in the scope instead, e.g.
`python -m tests.mutation_score --scope data -- show consent.engine.x_decide__mutmut_3`.
Exits 1 when the score is under `--min` percent (default 90), or mutmut fails.
See docs/mutation.md for the figures and the survivors judged harmless.
"""
import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {"signin": "mutmut", "data": "mutmut:data", "insider": "mutmut:insider"}
# Written into mutants/ after generation, so `--keep` never mixes two scopes' mutants.
SCOPE_MARK = ROOT / "mutants" / ".scope"
# mutmut's verdicts that mean a test noticed the mutant.
KILLED = {"killed", "timeout", "caught by type check"}

# Starts mutmut's own command line with [mutmut] replaced, in memory, by the scope's section.
# mutmut 3.8.1's configuration._config_reader builds `ConfigParser()` and reads "setup.cfg";
# its workers are forked, so they inherit the patched configuration. Run with `python -c`
# rather than imported from this package: mutmut imports tests/ from mutants/, and an
# already imported `tests` package would shadow the copy.
LAUNCHER = """
import sys
from configparser import ConfigParser
from mutmut import configuration

section = sys.argv.pop(1)

class ScopedParser(ConfigParser):
    def read(self, *args, **kwargs):
        found = super().read(*args, **kwargs)
        if section != "mutmut":
            if not self.has_section(section):
                sys.exit(f"setup.cfg has no [{section}] section")
            options = dict(self.items(section, raw=True))
            self.remove_section("mutmut")
            self.add_section("mutmut")
            for key, value in options.items():
                self.set("mutmut", key, value)
        return found

configuration.ConfigParser = ScopedParser
from mutmut.__main__ import cli
sys.argv[0] = "mutmut"
cli()
"""


def mutmut(scope: str, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", LAUNCHER, SECTIONS[scope], *args]
    return subprocess.run(command, cwd=ROOT, text=True, capture_output=capture, check=False)


def verdicts(scope: str) -> dict[str, str]:
    """{mutant name: status} for every mutant, as `mutmut results --all true` lists them."""
    listed = mutmut(scope, "results", "--all", "true", capture=True)
    if listed.returncode != 0:
        sys.exit(listed.stdout + listed.stderr)
    pairs = (line.strip().rsplit(": ", 1) for line in listed.stdout.splitlines() if ": " in line)
    return {name: status for name, status in pairs}


def main() -> int:
    argv = sys.argv[1:]
    passthrough = None
    if "--" in argv:
        passthrough = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", choices=sorted(SECTIONS), default="signin",
                        help="what is mutated (default signin)")
    parser.add_argument("--keep", action="store_true", help="reuse verdicts in mutants/")
    parser.add_argument("--min", type=float, default=90.0, help="lowest passing score, percent")
    parser.add_argument("names", nargs="*", help="re-run only these mutants (globs allowed)")
    options = parser.parse_args(argv)
    marked = SCOPE_MARK.read_text().strip() if SCOPE_MARK.exists() else None
    reusing = options.keep or options.names or passthrough is not None
    if reusing and (ROOT / "mutants").exists() and marked != options.scope:
        print(f"mutants/ holds the {marked or 'unknown'} scope, not {options.scope}: "
              "run without --keep first", file=sys.stderr)
        return 2
    if passthrough is not None:
        return mutmut(options.scope, *passthrough).returncode
    if not reusing:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    SCOPE_MARK.parent.mkdir(exist_ok=True)
    SCOPE_MARK.write_text(options.scope + "\n")
    started = time.monotonic()
    run = mutmut(options.scope, "run", *options.names)
    minutes = (time.monotonic() - started) / 60
    if run.returncode != 0:
        print(f"mutmut run failed with exit code {run.returncode}", file=sys.stderr)
        return 1
    found = verdicts(options.scope)
    counts = Counter(found.values())
    killed, total = sum(counts[s] for s in KILLED), len(found)
    score = 100 * killed / total if total else 0.0
    print()
    print("verdicts: " + ", ".join(f"{status} {n}" for status, n in counts.most_common()))
    survivors = sorted(name for name, status in found.items() if status not in KILLED)
    if survivors:
        show = "mutmut show NAME" if options.scope == "signin" else \
            f"python -m tests.mutation_score --scope {options.scope} -- show NAME"
        print(f"not killed ({len(survivors)}; `{show}` shows one):")
        for name in survivors:
            print(f"    {name}: {found[name]}")
    print(f"mutation score ({options.scope}): {killed} / {total} killed = {score:.1f}%  "
          f"(run took {minutes:.1f} min)")
    return 0 if score >= options.min else 1


if __name__ == "__main__":
    sys.exit(main())
