"""The few display fields a list view shows for a record, taken from the resource as sent.
Every value is a string of at most 200 characters, but "components": a list of such dicts."""
from services.fhir.elements import codings, lookup

_TEXT_LIMIT = 200
_MAX_COMPONENTS = 10
_SIMPLE_VALUES = ("valueString", "valueInteger", "valueDateTime", "valueTime", "valueBoolean")


def summary_of(resource: dict, code_paths: tuple[str, ...]) -> dict:
    """{"code", "display", "value", "unit", "status", ...}: only the keys the resource fills.
    A panel's parts (an Observation's components, e.g. blood pressure) go under "components"."""
    named = next((found for path in code_paths if (found := lookup(resource, path))), None)
    summary = {**_name(named), **_value(resource), "status": _status(resource)}
    for key in ("conclusion", "description"):
        summary[key] = resource.get(key)
    parts = [_bounded({**_name(c.get("code")), **_value(c)})
             for c in resource.get("component") or [] if isinstance(c, dict)]
    summary = _bounded(summary)
    if parts:
        summary["components"] = parts[:_MAX_COMPONENTS]
    return summary


def _name(element) -> dict:
    """code and display of a CodeableConcept, a Coding or a Reference (its display)."""
    if not isinstance(element, dict):
        return {}
    coding = next(iter(codings(element)), element)  # a Coding names itself
    return {"code": coding.get("code"),
            "display": element.get("text") or coding.get("display") or element.get("display")}


def _value(element: dict) -> dict:
    quantity = element.get("valueQuantity")
    if isinstance(quantity, dict):
        return {"value": quantity.get("value"),
                "unit": quantity.get("unit") or quantity.get("code")}
    concept = element.get("valueCodeableConcept")
    if isinstance(concept, dict):
        named = _name(concept)
        return {"value": named.get("display") or named.get("code")}
    for key in _SIMPLE_VALUES:
        if key in element:
            value = element[key]
            return {"value": ("true" if value else "false") if isinstance(value, bool) else value}
    return {}


def _status(resource: dict):
    status = resource.get("status")
    if isinstance(status, str):
        return status
    return next((c.get("code") for c in codings(resource.get("clinicalStatus"))), None)


def _bounded(fields: dict) -> dict:
    """Only the filled fields, each as a string of at most _TEXT_LIMIT characters."""
    out = {}
    for key, value in fields.items():
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else str(value)
        out[key] = text if len(text) <= _TEXT_LIMIT else text[:_TEXT_LIMIT - 3] + "..."
    return out
