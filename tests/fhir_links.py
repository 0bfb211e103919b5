"""What a self-contained FHIR Bundle must hold, checked on its JSON: every resource id (of an
entry or contained in one) matches FHIR's id pattern, and every `reference` anywhere in it
resolves to an entry (by fullUrl, or `Type/id`) or, for `#id`, to a resource contained in the
same entry."""
import re

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def resources(bundle: dict) -> list[dict]:
    return [entry["resource"] for entry in bundle.get("entry", [])]


def resource_ids(bundle: dict) -> list:
    """The id of every entry's resource and of every resource contained in one."""
    found = []
    for resource in resources(bundle):
        found.append(resource.get("id"))
        found += [item.get("id") for item in resource.get("contained", [])]
    return found


def invalid_ids(bundle: dict) -> list:
    return [i for i in resource_ids(bundle) if not (isinstance(i, str) and FHIR_ID.fullmatch(i))]


def references(node) -> list[str]:
    """Every `reference` string under `node`, wherever it sits."""
    if isinstance(node, list):
        return [found for item in node for found in references(item)]
    if not isinstance(node, dict):
        return []
    own = [node["reference"]] if isinstance(node.get("reference"), str) else []
    return own + [found for key, value in node.items() if key != "reference"
                  for found in references(value)]


def targets(bundle: dict) -> dict:
    """{fullUrl or Type/id: the resources it names} over the bundle's entries."""
    named = {}
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        for key in (entry.get("fullUrl"), f"{resource['resourceType']}/{resource.get('id')}"):
            if key:
                named.setdefault(key, []).append(resource)
    return named


def unresolved(bundle: dict) -> list[str]:
    """The references that name no entry of the bundle, or more than one."""
    named, missing = targets(bundle), []
    for resource in resources(bundle):
        local = {"#"} | {"#" + str(c.get("id")) for c in resource.get("contained", [])}
        for reference in references(resource):
            if reference.startswith("#"):
                ok = reference in local
            else:
                ok = len({id(r) for r in named.get(reference, [])}) == 1
            if not ok:
                missing.append(reference)
    return missing


def entry_of(bundle: dict, reference: str) -> dict:
    """The resource a reference names (it must name exactly one)."""
    [found] = targets(bundle)[reference]
    return found
