"""What parsing a bundle hands back: the candidates, the patients, and the one error that refuses
a bundle as a whole. Plain values only, so storage and HTTP code can take them as they are."""
import re
from dataclasses import dataclass, field
from datetime import datetime

from services.errors import InvalidInput

NATIONAL_ID_SYSTEM = "http://fhir.hl7.org.vn/core/sid/cccd"
OK, NOT_STORED, INVALID = "ok", "not_stored", "invalid"

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


class BundleRejected(InvalidInput):
    """The bundle as a whole cannot be taken (not a Bundle, wrong type, no entries, too many).
    `issues` lists why, in words for the hospital's integrator. It is an InvalidInput, so the
    HTTP layer answers it like any other bad body unless it chooses an OperationOutcome."""
    detail = "The body is not a FHIR Bundle this service takes."

    def __init__(self, issues: list[str]):
        super().__init__(errors={"bundle": list(issues)})
        self.issues = list(issues)


@dataclass
class PatientInfo:
    """What a Patient entry says about the person it names by national ID. `birth_date` is a
    full ISO date (YYYY-MM-DD) or None, also when the hospital sent only a year or a month."""
    national_id: str
    name: str | None
    birth_date: str | None


@dataclass
class Candidate:
    """One bundle entry, parsed. `status` is OK (store it), NOT_STORED (a type kept for reference
    only; `issues` says why) or INVALID (`issues` says what to fix)."""
    index: int
    resource_type: str | None
    source_id: str | None
    status: str
    issues: list[str]
    national_id: str | None = None
    category: str | None = None
    effective_at: datetime | None = None
    issued_at: datetime | None = None
    resource: dict | None = None
    summary: dict = field(default_factory=dict)
    full_url: str | None = None  # the entry's fullUrl, which other entries may reference

    def refuse(self, *issues: str) -> None:
        self.status = INVALID
        self.issues.extend(issues)


@dataclass
class ParsedBundle:
    bundle_type: str
    candidates: list[Candidate]
    patients: list[PatientInfo]


def shown(value, limit: int = 80) -> str:
    """`value` quoted for an issue text: bounded, on one line, and with any lone surrogate
    replaced, since issues end up in responses and logs."""
    text = value if isinstance(value, str) else repr(value)
    text = _LONE_SURROGATE.sub("\ufffd", _SPACES.sub(" ", text))
    if len(text) > limit:
        text = text[:limit] + "..."
    return repr(text) if isinstance(value, str) else text
