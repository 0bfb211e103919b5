"""The required value-set bindings of FHIR R4 for the resource types we store: an element bound
with strength "required" (Observation.status, Condition.clinicalStatus, MedicationRequest.intent,
...) SHALL hold a code of its value set. fhir.resources checks structure and types, not codes,
so without this an Observation with status "not-a-status" would be stored as a result.

The elements and codes come from required_bindings.json, which tests/fhir_bindings_build.py
extracts from the official R4 definitions (the file names its source); nothing here is typed by
hand and nothing is fetched at run time. A binding that is not required (extensible, preferred,
example) is never checked: hospitals may use other codes there.
"""
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from services.fhir.candidates import shown

DATA_FILE = Path(__file__).with_name("required_bindings.json")
_SHOWN_CODES = 12  # value sets bound as required to our types hold at most ten


@dataclass(frozen=True)
class Binding:
    path: str  # e.g. "Encounter.statusHistory.status"; a last part may end in [x]
    types: tuple[str, ...]  # code, Coding, CodeableConcept (others are never bound here)
    value_set: str  # canonical url|version, for messages
    codes: dict  # system -> frozenset of codes

    def allows(self, system, code) -> bool:
        """Whether (system, code) is in the value set. A coding sent without a system is read
        in the value set's own systems, as a plain code is (and as mapping.py reads categories)."""
        if system is None:
            return any(code in codes for codes in self.codes.values())
        return code in self.codes.get(system, ())

    def listed(self) -> str:
        every = sorted({code for codes in self.codes.values() for code in codes})
        more = " | ..." if len(every) > _SHOWN_CODES else ""
        return " | ".join(every[:_SHOWN_CODES]) + more


@cache
def bindings_of(resource_type: str) -> tuple[Binding, ...]:
    """The required bindings of a type we store (none for any other type)."""
    return _table().get(resource_type, ())


@cache
def _table() -> dict:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    value_sets = {url: {system: frozenset(codes) for system, codes in systems.items()}
                  for url, systems in data["valueSets"].items()}
    return {resource_type: tuple(Binding(b["path"], tuple(b["types"]), b["valueSet"],
                                         value_sets[b["valueSet"]]) for b in bindings)
            for resource_type, bindings in data["bindings"].items()}


def binding_issues(resource: dict) -> list[str]:
    """Why the resource breaks a required binding, one issue per coded value that does, each
    naming the element ("Observation.status: ..."); empty when it keeps them all. The resource
    has passed its R4B model, so elements have their declared JSON shapes."""
    return [issue for binding in bindings_of(resource.get("resourceType"))
            for issue in issues_for(resource, binding)]


def issues_for(resource: dict, binding: Binding) -> list[str]:
    """The issues of one binding: each value its path reaches that is not in its value set."""
    return [f"{where}{problem}" for where, kind, value in _values(resource, binding)
            if (problem := _CHECKS[kind](value, binding))]


def _values(resource: dict, binding: Binding):
    """(location, type, value) of every value the binding's path reaches: through arrays (each
    item, with its index in the location) and, for a choice element (value[x]), under each of
    its coded names (valueCode, valueCodeableConcept, ...)."""
    *steps, last = binding.path.split(".")[1:]
    nodes = [(binding.path.split(".")[0], resource)]
    for step in steps:
        nodes = [found for where, node in nodes for found in _children(where, node, step)]
    named = [(last, binding.types[0])] if not last.endswith("[x]") else [
        (last[:-3] + kind[0].upper() + kind[1:], kind) for kind in binding.types]
    for where, node in nodes:
        for name, kind in named:
            if kind in _CHECKS:
                yield from ((at, kind, value) for at, value in _children(where, node, name))


def _children(where: str, node, name: str):
    value = node.get(name) if isinstance(node, dict) else None
    if isinstance(value, list):
        return [(f"{where}.{name}[{i}]", item) for i, item in enumerate(value) if item is not None]
    return [] if value is None else [(f"{where}.{name}", value)]


def _code(value, binding: Binding) -> str | None:
    if binding.allows(None, value):  # a plain code's system is the value set's
        return None
    return (f": {shown(value)} is not a code of the required value set {binding.value_set} "
            f"({binding.listed()})")


def _coding(value: dict, binding: Binding) -> str | None:
    if binding.allows(value.get("system"), value.get("code")):
        return None
    return (f": {_coded(value)} is not a code of the required value set {binding.value_set} "
            f"({_systems(binding)}: {binding.listed()})")


def _concept(value: dict, binding: Binding) -> str | None:
    """A CodeableConcept keeps a required binding when one of its codings is a code of the value
    set; a coding that claims one of the value set's systems with a code outside it is refused
    even beside a good one (it would be read as that system's code)."""
    codings = value.get("coding") or []
    for i, coding in enumerate(codings):
        if coding.get("system") in binding.codes and not binding.allows(
                coding.get("system"), coding.get("code")):
            return (f".coding[{i}]: {_coded(coding)} is not a code of the required value set "
                    f"{binding.value_set} ({binding.listed()})")
    if any(binding.allows(c.get("system"), c.get("code")) for c in codings):
        return None
    return (f": no coding from the required value set {binding.value_set}; it needs one with "
            f"system {_systems(binding)} and a code among {binding.listed()}")


def _coded(coding: dict) -> str:
    return f"code {shown(coding.get('code'))} of system {shown(coding.get('system'))}"


def _systems(binding: Binding) -> str:
    return " or ".join(sorted(binding.codes))


_CHECKS = {"code": _code, "Coding": _coding, "CodeableConcept": _concept}
