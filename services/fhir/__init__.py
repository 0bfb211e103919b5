"""FHIR R4 bundle ingestion, the pure part: a hospital's Bundle in, record candidates out, and
the FHIR resources we answer with. No Flask, no database; storage builds on this interface.

    parsed = parse_bundle(body, max_entries=..., max_attachment_bytes=...)  # or BundleRejected
    for candidate in parsed.candidates: ...  # status "ok" | "not_stored" | "invalid"

Resources are validated with the fhir.resources R4B models (there is no R4 package; R4B reads
the R4 resources we store), then against R4's required value-set bindings (bindings.py), which
the models do not check. API.md's Hospital section is the contract.
"""
from services.fhir.bindings import bindings_of
from services.fhir.bundle import BUNDLE_TYPES, parse_bundle
from services.fhir.candidates import (INVALID, NATIONAL_ID_SYSTEM, NOT_STORED, OK,
                                      BundleRejected, Candidate, ParsedBundle, PatientInfo)
from services.fhir.mapping import STORED_TYPES
from services.fhir.export import FHIR_ID, ExportedRecord, collection_bundle, export_id
from services.fhir.outcomes import fhir_instant, operation_outcome, response_bundle
from services.fhir.validation import load_models

# The data types nearly every resource holds; fhir.resources imports them on first use.
_COMMON_DATA_TYPES = ("Extension", "Meta", "Narrative", "Identifier", "Reference",
                      "CodeableConcept", "Coding", "Period", "Quantity", "HumanName", "Address",
                      "ContactPoint", "Attachment", "Annotation", "Range", "Ratio", "Dosage")


def warm_up() -> None:
    """Import the R4B models of the types we validate and the data types they hold (~0.3 s),
    and read the required bindings, e.g. at start-up, so that the first bundle pushed does not
    pay for it (and a missing bindings file stops the start, not a push)."""
    load_models([*STORED_TYPES, "Patient", *_COMMON_DATA_TYPES])
    for resource_type in STORED_TYPES:
        bindings_of(resource_type)


__all__ = ["BUNDLE_TYPES", "FHIR_ID", "INVALID", "NATIONAL_ID_SYSTEM", "NOT_STORED", "OK",
           "STORED_TYPES", "BundleRejected", "Candidate", "ExportedRecord", "ParsedBundle",
           "PatientInfo", "collection_bundle", "export_id", "fhir_instant", "operation_outcome",
           "parse_bundle", "response_bundle", "warm_up"]
