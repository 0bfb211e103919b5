"""The dependency audit: known vulnerabilities of the installed distributions (pip-audit).

A separate command, not a test: it asks an outside advisory service, and the test suite needs no
network. Run it from the repository's root in the project's virtualenv:

    python -m tests.dependency_audit

Exit 1 when a known vulnerability is not in EXPLAINED; 0 otherwise. When the advisory service
cannot be reached, it says so on one line and exits 0 (nothing was audited; nothing is known to
be wrong). pip-audit asks PyPI's per-version JSON; where that answers "not found" (some PyPI
mirrors serve only the per-project JSON), the per-project JSON is read instead: its
`vulnerabilities` are those of the latest release, so it audits a pin equal to the latest. A pin
neither way can audit is listed (runtime requirements first), never passed over in silence.
"""
import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# Vulnerability id -> why it does not affect us. Empty: nothing known is accepted.
EXPLAINED: dict[str, str] = {}
UNREACHABLE = ("dependency audit: the advisory service (PyPI's vulnerability data) could not be "
               "reached from this machine; nothing was audited.")


def runtime_closure() -> set[str]:
    """Canonical names of requirements.txt's distributions and everything they require."""
    names = [Requirement(line).name for line in
             (raw.split("#")[0].strip() for raw in (ROOT / "requirements.txt").read_text()
              .splitlines()) if line and not line.startswith("-")]
    seen: set[str] = set()
    while names:
        name = canonicalize_name(names.pop())
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                names.append(requirement.name)
    return seen


def latest_release_vulnerabilities(name: str, version: str) -> list[str] | None:
    """Ids of the known vulnerabilities of name==version from PyPI's per-project JSON, or None
    when version is not the latest release (that JSON describes only the latest) or PyPI does
    not answer."""
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json",  # nosec B310: https
                                    timeout=30) as answer:
            project = json.load(answer)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None
    if project["info"]["version"] != version:
        return None
    return [v["id"] for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]


def audit() -> tuple[dict[str, list[str]], list[str]] | None:
    """({"name==version": [vulnerability ids]}, [name==version that could not be audited]),
    or None when pip-audit could not reach its service."""
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json",
                          "--progress-spinner", "off"], capture_output=True, text=True, check=False)
    if not run.stdout.strip():
        print(run.stderr[-1500:], file=sys.stderr)
        return None
    found, unaudited, fallback = {}, [], []
    for dep in json.loads(run.stdout)["dependencies"]:
        pin = f"{dep['name']}=={dep.get('version', '?')}"
        if "skip_reason" not in dep:
            found[pin] = [v["id"] for v in dep["vulns"]]
        elif "version" in dep or "(" in dep["skip_reason"]:
            version = dep.get("version") or dep["skip_reason"].rsplit("(", 1)[1].rstrip(")")
            fallback.append((dep["name"], version))
        else:
            unaudited.append(pin)
    print(f"pip-audit answered for {len(found)} distributions; asking PyPI's project pages "
          f"for {len(fallback)} more", flush=True)
    with ThreadPoolExecutor(8) as pool:
        for (name, version), ids in zip(fallback, pool.map(
                lambda pair: latest_release_vulnerabilities(*pair), fallback)):
            if ids is None:
                unaudited.append(f"{name}=={version}")
            else:
                found[f"{name}=={version}"] = ids
    return found, unaudited


def main() -> int:
    print("dependency audit: pip-audit over the installed distributions ...", flush=True)
    result = audit()
    if result is None or not result[0]:
        print(UNREACHABLE)
        return 0
    found, unaudited = result
    unexplained = {pin: [i for i in ids if i not in EXPLAINED] for pin, ids in found.items()}
    unexplained = {pin: ids for pin, ids in unexplained.items() if ids}
    runtime = runtime_closure()
    for label, pins in (("runtime", [p for p in unaudited if canonicalize_name(p.split("==")[0])
                                     in runtime]),
                        ("test-only", [p for p in unaudited if canonicalize_name(p.split("==")[0])
                                       not in runtime])):
        if pins:
            print(f"not audited here ({label}; the service had no answer for the pin): "
                  f"{', '.join(sorted(pins))}")
    print(f"audited {len(found)} distributions, {len(unexplained)} with a known vulnerability")
    for pin, ids in sorted(unexplained.items()):
        print(f"  {pin}: {', '.join(ids)}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
