"""The shared Synthea exports (real FHIR R4 bundles), found through one setting.

PHR_FHIR_SAMPLES names the folder that holds `synthea/*.json` (CI sets it to
../shared/fhir-samples). Unset, the tests that need the samples are skipped, so a clone on its
own passes; set, they must run: a folder without samples is an error, never a silent skip.
"""
import os
from pathlib import Path

import pytest

SETTING = "PHR_FHIR_SAMPLES"
ROOT = Path(__file__).resolve().parents[1]


def synthea_dir() -> Path | None:
    """The folder of Synthea bundles, or None when the setting is unset. A relative setting is
    taken from the repository's root. Raises RuntimeError when it is set but holds none."""
    value = os.environ.get(SETTING, "").strip()
    if not value:
        return None
    folder = (ROOT / value).resolve() / "synthea"
    if not sorted(folder.glob("*.json")):
        raise RuntimeError(f"{SETTING}={value}: no Synthea bundles in {folder}")
    return folder


SYNTHEA = synthea_dir()
needs_samples = pytest.mark.skipif(SYNTHEA is None,
                                   reason=f"{SETTING} is unset (CI sets ../shared/fhir-samples)")


def sample_names() -> list[str]:
    """File names of the bundles; a placeholder when unset, so a parametrized test is reported
    as one skip naming the setting rather than an empty parameter set."""
    return sorted(p.name for p in SYNTHEA.glob("*.json")) if SYNTHEA else ["(unset)"]


def sample(prefix: str) -> Path:
    """The bundle whose file name starts with prefix (Buster, Clemente, Liz)."""
    return next(SYNTHEA.glob(f"{prefix}*.json"))
