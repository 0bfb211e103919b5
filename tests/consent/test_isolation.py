"""The engine stays pure: importing every consent module pulls in nothing of the project and
no web or database library."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "pymongo", "bson", "mongomock", "api", "models", "services",
             "notifications", "security", "wsgi")

# Run from the repository root, so that a stray `import services` would succeed and be seen,
# rather than fail for want of a path.
PROBE = """
import importlib, json, pkgutil, sys
import consent
names = ["consent"] + [m.name for m in pkgutil.walk_packages(consent.__path__, "consent.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_importing_every_consent_module_loads_nothing_of_the_project():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    report = json.loads(done.stdout)
    assert {"consent.engine", "consent.lifecycle", "consent.receipts",
            "consent.sensitivity"} <= set(report["modules"])
    assert not set(FORBIDDEN) & set(report["loaded"])
