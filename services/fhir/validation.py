"""Strict validation of one resource: the fhir.resources R4B model of its type (structure, types,
cardinality), then the required value-set bindings of R4, which the model does not check.

There is no R4 package in fhir.resources 8; R4B reads R4 resources of every kind we store."""
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from services.fhir.bindings import binding_issues
from services.fhir.resource_types import KNOWN_TYPES, R4B_TYPES

MAX_ISSUES = 10
_MESSAGE_LIMIT = 200


def is_known_type(resource_type: str) -> bool:
    return resource_type in KNOWN_TYPES


def load_models(type_names) -> None:
    """Import the R4B models of `type_names` (resources or data types) now."""
    for name in type_names:
        get_fhir_model_class(name)


def validation_issues(resource: dict) -> list[str]:
    """Why the resource is refused: what the R4B model of its type finds, else the required
    bindings it breaks (bindings.py: only the types we store have them); empty when it is
    valid. The type must be one of R4B_TYPES. The resource is read, never changed."""
    resource_type = resource["resourceType"]
    if resource_type not in R4B_TYPES:
        raise ValueError(f"no R4B model for {resource_type!r}")
    try:
        get_fhir_model_class(resource_type).model_validate(resource)
    except ValidationError as error:
        found = error.errors(include_url=False, include_input=False, include_context=False)
        issues = [_issue(resource_type, e["loc"], e["msg"]) for e in found[:MAX_ISSUES]]
        if len(found) > MAX_ISSUES:
            issues.append(f"... and {len(found) - MAX_ISSUES} more problems")
        return issues
    except RecursionError:  # pydantic recurses once per nested element
        return [f"{resource_type}: the resource nests too deeply to be read"]
    # After the model: its shapes (a code is a string, a coding an object) are known then.
    return binding_issues(resource)[:MAX_ISSUES]


def _issue(resource_type: str, location: tuple, message: str) -> str:
    path = resource_type
    for part in location:  # a part may be a field name the hospital made up: keep it short
        path += f"[{part}]" if isinstance(part, int) else f".{str(part)[:64]}"
    message = message.removeprefix("Value error, ")
    for control, shown in (("\r", "\\r"), ("\n", "\\n"), ("\t", "\\t")):
        message = message.replace(control, shown)  # patterns hold them; issues stay on one line
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "..."
    return f"{path}: {message}"
