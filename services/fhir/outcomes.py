"""The FHIR resources this service answers with: OperationOutcome, the batch-response or
transaction-response Bundle of a push (export.py makes the collection Bundle of a patient's
export)."""
from datetime import datetime, timezone

_RESPONSE_TYPES = {"batch": "batch-response", "transaction": "transaction-response"}
_RESPONSE_FIELDS = ("status", "location", "etag", "lastModified", "outcome")
_ENTRY_FIELDS = ("fullUrl", "resource")


def operation_outcome(issues: list[str], severity: str = "error", code: str = "invalid") -> dict:
    """One issue per message, as `diagnostics`. For an entry accepted but not stored, pass
    severity "information" and code "informational". FHIR wants at least one issue, so no
    message still gives one issue, without diagnostics."""
    found = [{"severity": severity, "code": code, "diagnostics": text} for text in issues]
    return {"resourceType": "OperationOutcome",
            "issue": found or [{"severity": severity, "code": code}]}


def response_bundle(bundle_type: str, entries: list[dict]) -> dict:
    """The batch-response or transaction-response Bundle answering a push, one entry per
    pushed entry in the same order. Each entry dict holds Bundle.entry.response's fields
    (`status` such as "201 Created", `location`, `etag`, `lastModified` as an aware datetime or
    FHIR instant, `outcome`) and optionally `fullUrl` and `resource`. Raises ValueError for a
    bundle type other than batch or transaction, or for a field it does not know."""
    if bundle_type not in _RESPONSE_TYPES:
        raise ValueError(f"no response bundle for a {bundle_type!r} bundle")
    bundle = {"resourceType": "Bundle", "type": _RESPONSE_TYPES[bundle_type]}
    if entries:  # FHIR JSON has no empty arrays
        bundle["entry"] = [_response_entry(entry) for entry in entries]
    return bundle


def _response_entry(entry: dict) -> dict:
    unknown = set(entry) - set(_RESPONSE_FIELDS) - set(_ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"unknown response entry fields: {sorted(unknown)}")
    response = {key: entry[key] for key in _RESPONSE_FIELDS if entry.get(key) is not None}
    if isinstance(response.get("lastModified"), datetime):
        response["lastModified"] = fhir_instant(response["lastModified"])
    answer = {key: entry[key] for key in _ENTRY_FIELDS if entry.get(key) is not None}
    return {**answer, "response": response}


def fhir_instant(moment: datetime) -> str:
    """An aware datetime as a FHIR instant in UTC ("2026-11-25T09:00:00.000Z"). Raises
    ValueError for a naive one, whose zone would be a guess."""
    if moment.tzinfo is None:
        raise ValueError("a FHIR instant needs an aware datetime")
    text = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
