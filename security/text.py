"""Text that every encoder downstream accepts. Pure: no project imports.

JSON may spell a lone UTF-16 surrogate ("\\ud800"); Python decodes it into a str that no UTF-8
encoder (argon2, HMAC, BSON) accepts, so it must be refused as bad input where it enters: by the
API's schemas, and by the FHIR parser for the strings of a bundle.
"""
import re
from collections.abc import Mapping

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def holds_lone_surrogate(value) -> bool:
    """True when any string in `value` (nested dicts and lists, keys too) has a lone surrogate.
    Iterative: a body may nest as deep as the JSON parser allows, deeper than Python recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if LONE_SURROGATE.search(item):
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return False
