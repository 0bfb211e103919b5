"""Strict validation of one resource with the fhir.resources R4B model of its type, and the
resource type vocabulary.

There is no R4 package in fhir.resources 8; R4B reads R4 resources of every kind we store. The
few R4 types that R4B dropped are still known, so a bundle carrying one is answered "not stored",
never "unknown type"."""
import re

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

# In FHIR R4 (4.0.1) but not in R4B.
R4_ONLY_TYPES = frozenset({
    "EffectEvidenceSynthesis", "RiskEvidenceSynthesis", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient", "MedicinalProductInteraction",
    "MedicinalProductManufactured", "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "SubstanceNucleicAcid", "SubstancePolymer",
    "SubstanceProtein", "SubstanceReferenceInformation", "SubstanceSourceMaterial",
    "SubstanceSpecification"})
_ABSTRACT = frozenset({"Resource", "DomainResource"})
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z]{1,63}")
MAX_ISSUES = 10
_MESSAGE_LIMIT = 200


def model_of(resource_type: str):
    """The R4B model class of a concrete resource type, or None when R4B has no such resource."""
    if not _TYPE_NAME.fullmatch(resource_type) or resource_type in _ABSTRACT:
        return None
    try:
        model = get_fhir_model_class(resource_type)
    except ValueError:
        return None
    return model if issubclass(model, Resource) else None


def is_known_type(resource_type: str) -> bool:
    return resource_type in R4_ONLY_TYPES or model_of(resource_type) is not None


def validation_issues(resource: dict) -> list[str]:
    """Why the R4B model of the resource's type refuses it; empty when it is valid. The caller
    has checked the type is known to R4B. The resource is read, never changed."""
    resource_type = resource["resourceType"]
    try:
        model_of(resource_type).model_validate(resource)
    except ValidationError as error:
        found = error.errors(include_url=False, include_input=False, include_context=False)
        issues = [_issue(resource_type, e["loc"], e["msg"]) for e in found[:MAX_ISSUES]]
        if len(found) > MAX_ISSUES:
            issues.append(f"... and {len(found) - MAX_ISSUES} more problems")
        return issues
    except RecursionError:  # pydantic recurses once per nested element
        return [f"{resource_type}: the resource nests too deeply to be read"]
    return []


def _issue(resource_type: str, location: tuple, message: str) -> str:
    path = resource_type
    for part in location:  # a part may be a field name the hospital made up: keep it short
        path += f"[{part}]" if isinstance(part, int) else f".{str(part)[:64]}"
    message = " ".join(message.removeprefix("Value error, ").split())
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "..."
    return f"{path}: {message}"
