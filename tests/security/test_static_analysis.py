"""Static checks in the suite: bandit over the code, pip-audit over the installed requirements.

bandit: no finding of medium or high severity in the code that ships (its low findings are
constant strings that look like passwords, 'Bearer' or a token prefix, and the jitter of the audit
trail's retry; see the README). A `# nosec` needs a reason on the same line.

pip-audit: every installed distribution is audited; any known vulnerability fails the test unless
EXPLAINED names it with a reason. pip-audit asks PyPI's per-version JSON; where that answers
"not found" (this network's PyPI mirror serves only the per-project JSON), the per-project JSON
is read instead: its `vulnerabilities` are those of the latest release, so it audits a pin equal
to the latest release. A runtime requirement that neither way can audit fails the test; a
test-only tool that cannot be audited is printed, not failed (it never runs in production).
"""
import json
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["api", "consent", "models", "notifications", "security", "services", "wsgi.py"]
# Vulnerability id -> why it does not affect us. Empty: nothing known is accepted.
EXPLAINED: dict[str, str] = {}
# Runtime distributions that neither way can audit here (the latest release needs a newer Python,
# so the pin is not the latest), with why the risk is small. A new one fails the test.
UNAUDITABLE_RUNTIME = {
    "deprecated": "limits' decorator that warns about deprecated calls: no I/O, no parsing; "
                  "3.x needs Python 3.12",
}


def bandit_findings(paths: list[str], cwd: Path = ROOT) -> list[dict]:
    """bandit's findings of medium or high severity under paths."""
    run = subprocess.run([sys.executable, "-m", "bandit", "-r", *paths, "-f", "json", "-q"],
                         cwd=cwd, capture_output=True, text=True, check=False)
    report = json.loads(run.stdout)
    assert not report["errors"], report["errors"]
    return [r for r in report["results"] if r["issue_severity"] in ("MEDIUM", "HIGH")]


def test_bandit_finds_nothing_medium_or_high_in_the_shipped_code():
    findings = bandit_findings(SHIPPED)
    assert findings == [], "\n".join(
        f"{f['filename']}:{f['line_number']} {f['test_id']} {f['issue_text']}" for f in findings)


def test_the_bandit_check_reports_a_shell_injection(tmp_path):
    # The check above can fail: the same call finds a planted defect.
    (tmp_path / "bad.py").write_text("import subprocess\n\ndef run(name):\n"
                                     "    subprocess.call('ls ' + name, shell=True)\n")
    assert [f["test_id"] for f in bandit_findings(["bad.py"], cwd=tmp_path)] == ["B602"]


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
    when version is not the latest release (that JSON describes only the latest)."""
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as answer:
        project = json.load(answer)
    if project["info"]["version"] != version:
        return None
    return [v["id"] for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]


def audit() -> tuple[dict[str, list[str]], list[str]]:
    """({"name==version": [vulnerability ids]}, [name==version that could not be audited])."""
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json",
                          "--progress-spinner", "off"], capture_output=True, text=True, check=False)
    if not run.stdout.strip():
        pytest.fail(f"pip-audit gave no report (exit {run.returncode}): {run.stderr[-2000:]}")
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
    with ThreadPoolExecutor(8) as pool:
        for (name, version), ids in zip(fallback, pool.map(
                lambda pair: latest_release_vulnerabilities(*pair), fallback)):
            if ids is None:
                unaudited.append(f"{name}=={version}")
            else:
                found[f"{name}=={version}"] = ids
    return found, unaudited


def test_pip_audit_finds_no_unexplained_vulnerability():
    found, unaudited = audit()
    assert len(found) > 20, f"too little was audited: {sorted(found)}"
    unexplained = {pin: [i for i in ids if i not in EXPLAINED] for pin, ids in found.items()}
    assert {pin: ids for pin, ids in unexplained.items() if ids} == {}
    runtime = runtime_closure()
    unaudited_runtime = [pin for pin in unaudited if canonicalize_name(pin.split("==")[0]) in runtime
                         and canonicalize_name(pin.split("==")[0]) not in UNAUDITABLE_RUNTIME]
    assert unaudited_runtime == [], "runtime requirements nobody could audit"
    if unaudited:
        print(f"not audited (pin is not the latest release; test-only tools, or runtime ones in "
              f"UNAUDITABLE_RUNTIME): {', '.join(unaudited)}")
