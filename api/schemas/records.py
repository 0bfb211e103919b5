"""Schemas of clinical records: the patient's list, one record, measurements, FHIR bundles."""
import marshmallow as ma
from marshmallow import validate

import consent
from api.schemas.common import StrictSchema, text_field

CATEGORIES = sorted(consent.CATEGORIES)  # the one vocabulary: consent/vocabulary.py


CURSOR_DESCRIPTION = ("`next_cursor` of the previous page, with the same filters: a cursor is good"
                      " only on the list that issued it (another list, filter or reader: 422)")


class RecordQuery(StrictSchema):
    category = ma.fields.String(validate=validate.OneOf(CATEGORIES))
    since = ma.fields.AwareDateTime(metadata={
        "description": "only records that arrived (or got a new version) after this time: for "
                       "delta sync; compare with the time of your last sync, not clinical dates"})
    cursor = text_field(512, metadata={"description": CURSOR_DESCRIPTION})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class RecordOut(ma.Schema):
    id = ma.fields.String(required=True)
    category = ma.fields.String(required=True, allow_none=True)
    resource_type = ma.fields.String(required=True)
    hospital_id = ma.fields.String(required=True, allow_none=True,
                                   metadata={"description": "null for patient-entered records"})
    hospital_name = ma.fields.String(required=True, allow_none=True)
    source = ma.fields.String(required=True, validate=validate.OneOf(["hospital", "patient"]))
    effective_at = ma.fields.DateTime(required=True, allow_none=True,
                                      metadata={"description": "clinical time"})
    issued_at = ma.fields.DateTime(required=True, allow_none=True)
    received_at = ma.fields.DateTime(required=True, metadata={"description": "first arrival"})
    updated_at = ma.fields.DateTime(required=True,
                                    metadata={"description": "newest version's arrival"})
    version = ma.fields.Integer(required=True)
    summary = ma.fields.Dict(required=True, metadata={"description": "a few display fields"})
    resource = ma.fields.Dict(required=True, metadata={
        "description": "the FHIR R4 resource as the hospital sent it (latest version)"})


class RecordPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RecordOut), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


class VersionOut(ma.Schema):
    version = ma.fields.Integer(required=True)
    received_at = ma.fields.DateTime(required=True)
    resource = ma.fields.Dict(required=True)


class RecordDetailOut(RecordOut):
    history = ma.fields.List(ma.fields.Nested(VersionOut), required=True,
                             metadata={"description": "every version, oldest first"})


class MeasurementIn(StrictSchema):
    """blood_pressure: systolic and diastolic (mm[Hg]); glucose: value with unit mmol/L or
    mg/dL; weight: value in kg."""
    kind = ma.fields.String(required=True,
                            validate=validate.OneOf(["blood_pressure", "glucose", "weight"]))
    measured_at = ma.fields.AwareDateTime(required=True)
    systolic = ma.fields.Integer(validate=validate.Range(min=40, max=300))
    diastolic = ma.fields.Integer(validate=validate.Range(min=20, max=200))
    # apispec documents Range's bounds but not min_inclusive: said here, or the document would
    # offer 0 as a valid value.
    value = ma.fields.Float(validate=validate.Range(min=0, max=1000, min_inclusive=False),
                            allow_nan=False, metadata={"exclusiveMinimum": True})
    unit = ma.fields.String(validate=validate.OneOf(["mmol/L", "mg/dL", "kg"]))

    @ma.validates_schema
    def fields_fit_the_kind(self, data, **kwargs):
        kind = data.get("kind")
        if kind == "blood_pressure":
            needed, allowed_units = {"systolic", "diastolic"}, None
        else:
            needed = {"value", "unit"}
            allowed_units = {"glucose": {"mmol/L", "mg/dL"}, "weight": {"kg"}}.get(kind)
        present = {k for k in ("systolic", "diastolic", "value", "unit") if k in data}
        if present != needed:
            raise ma.ValidationError(f"A {kind} measurement takes exactly: "
                                     f"{', '.join(sorted(needed))}.", "_schema")
        if allowed_units and data["unit"] not in allowed_units:
            raise ma.ValidationError(f"Unit must be one of {sorted(allowed_units)}.", "unit")


class MeasurementOut(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "the new record's id"})


class FhirBundleOut(ma.Schema):
    """A FHIR R4 Bundle (batch-response, transaction-response or collection)."""
    resourceType = ma.fields.String(required=True)
    id = ma.fields.String()
    type = ma.fields.String(required=True)
    timestamp = ma.fields.String()
    total = ma.fields.Integer()
    entry = ma.fields.List(ma.fields.Dict(), required=True)
