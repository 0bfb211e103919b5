"""tests/fhir_bindings_build.py on a small made-up package: which bindings it takes, how it lists
a value set's codes, and what it refuses to guess."""
import io
import json
import tarfile

import pytest

from tests import fhir_bindings_build as build

SD = "http://hl7.org/fhir/StructureDefinition/"
VS = "http://hl7.org/fhir/ValueSet/"


def element(path, strength=None, value_set=None, types=("code",), **more):
    found = {"path": path, "type": [{"code": t} for t in types], **more}
    if strength:
        found["binding"] = {"strength": strength, "valueSet": value_set}
    return found


def structure(name, *elements):
    return {"resourceType": "StructureDefinition", "url": SD + name, "fhirVersion": "4.0.1",
            "snapshot": {"element": [element(name, types=()), *elements]}}


def code_system(url, *concepts, content="complete"):
    return {"resourceType": "CodeSystem", "url": url, "content": content,
            "concept": list(concepts)}


def value_set(name, *include, exclude=()):
    compose = {"include": list(include)}
    if exclude:
        compose["exclude"] = list(exclude)
    return {"resourceType": "ValueSet", "url": VS + name, "compose": compose}


LIGHTS = code_system("urn:lights", {"code": "on"}, {"code": "off", "concept": [
    {"code": "dimmed"}]})
DEFINITIONS = {r["url"]: r for r in [
    LIGHTS, code_system("urn:partial", {"code": "x"}, content="fragment"),
    value_set("lights", {"system": "urn:lights"}),
    value_set("lit", {"system": "urn:lights", "concept": [{"code": "on"}]}),
    value_set("dark", {"valueSet": [VS + "lights"]}, exclude=[{"system": "urn:lights",
                                                               "concept": [{"code": "on"}]}]),
    value_set("filtered", {"system": "urn:lights", "filter": [{"op": "is-a"}]}),
    value_set("partial", {"system": "urn:partial"}),
    value_set("wrong", {"system": "urn:lights", "concept": [{"code": "blue"}]}),
]}


def test_a_whole_code_system_gives_every_code_and_its_children():
    assert build.expand(VS + "lights|4.0.1", DEFINITIONS) == {
        "urn:lights": {"on", "off", "dimmed"}}


def test_listed_concepts_imports_and_excludes():
    assert build.expand(VS + "lit", DEFINITIONS) == {"urn:lights": {"on"}}
    assert build.expand(VS + "dark", DEFINITIONS) == {"urn:lights": {"off", "dimmed"}}


@pytest.mark.parametrize("name", ["filtered", "partial", "wrong", "missing"])
def test_what_cannot_be_listed_from_the_package_is_refused(name):
    with pytest.raises(build.CannotExpand):
        build.expand(VS + name, DEFINITIONS)


def test_only_required_bindings_are_taken_with_their_content_references():
    definition = structure(
        "Thing", element("Thing.status", "required", VS + "lights|4.0.1"),
        element("Thing.kind", "extensible", VS + "lit"),
        element("Thing.part", types=("BackboneElement",)),
        element("Thing.part.state", "required", VS + "lit", types=("CodeableConcept",)),
        element("Thing.other", types=(), contentReference="#Thing.part"))
    assert build.required_bindings(definition) == [
        {"path": "Thing.status", "types": ["code"], "valueSet": VS + "lights|4.0.1"},
        {"path": "Thing.part.state", "types": ["CodeableConcept"], "valueSet": VS + "lit"},
        {"path": "Thing.other.state", "types": ["CodeableConcept"], "valueSet": VS + "lit"}]


def _package(tmp_path, manifest):
    resources = [structure("Thing", element("Thing.status", "required", VS + "dark")),
                 *DEFINITIONS.values()]
    path = tmp_path / "core.tgz"
    with tarfile.open(path, "w:gz") as archive:
        files = {"package/package.json": manifest, **{
            f"package/{r['resourceType']}-{i}.json": r for i, r in enumerate(resources)}}
        for name, content in files.items():
            data = json.dumps(content).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_build_writes_the_source_the_bindings_and_their_codes(tmp_path):
    path = _package(tmp_path, {"name": "hl7.fhir.r4.core", "version": "4.0.1"})
    content = build.build(path, ["Thing"])
    assert content["source"]["package"] == "hl7.fhir.r4.core"
    assert len(content["source"]["sha256"]) == 64
    assert content["bindings"] == {"Thing": [
        {"path": "Thing.status", "types": ["code"], "valueSet": VS + "dark"}]}
    assert content["valueSets"] == {VS + "dark": {"urn:lights": ["dimmed", "off"]}}
    assert json.loads(build.render(content)) == content


def test_build_refuses_another_package(tmp_path):
    path = _package(tmp_path, {"name": "hl7.fhir.r5.core", "version": "5.0.0"})
    with pytest.raises(SystemExit):
        build.build(path, ["Thing"])
