"""Static checks in the suite: bandit over the code. (The dependency audit asks an outside
service, so it is a separate command: python -m tests.dependency_audit.)

bandit: no finding of medium or high severity in the code that ships (its low findings are
constant strings that look like passwords, 'Bearer' or a token prefix, and the jitter of the audit
trail's retry; see docs/security.md). A `# nosec` needs a reason on the same line.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["api", "consent", "models", "notifications", "security", "services", "wsgi.py"]


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
