"""Reading elements of a resource as plain JSON (after the R4B model has validated it)."""


def lookup(value, path: str):
    """The element at a dotted path such as "effectivePeriod.start" or "type.0", or None."""
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def codings(concepts) -> list[dict]:
    """The codings of a CodeableConcept, or of a list of them (a resource's categories)."""
    concepts = concepts if isinstance(concepts, list) else [concepts]
    return [coding for concept in concepts if isinstance(concept, dict)
            for coding in concept.get("coding") or [] if isinstance(coding, dict)]
