"""Schemas of the FHIR Bulk Data export (Bulk Data Access IG v2): the kick-off's query, the
complete status (the Bulk Data manifest) and the handover manifest beside the files."""
import marshmallow as ma
from marshmallow import validate

from api.schemas.common import StrictSchema
from services.fhir import STORED_TYPES
from services.records.bulk_export import VERSIONS

NDJSON_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
HANDOVER_EXTENSION = "urn:phr:handover-manifest"
_TYPE = validate.Regexp(r"^[A-Za-z]{1,64}(,[A-Za-z]{1,64})*$",
                        error="Resource type names separated by commas.")


class BulkExportQuery(StrictSchema):
    resource_types = ma.fields.String(data_key="_type", validate=_TYPE, metadata={
        "description": "only these resource types, comma-separated; types stored: "
                       + ", ".join(sorted(STORED_TYPES))})
    since = ma.fields.AwareDateTime(data_key="_since", metadata={
        "description": "FHIR instant: only resources whose version arrived after it "
                       "(meta.lastUpdated); give the previous export's transactionTime"})
    output_format = ma.fields.String(data_key="_outputFormat", load_only=True,
                                     validate=validate.OneOf(NDJSON_FORMATS), metadata={
                                         "description": "NDJSON only (the default)"})
    versions = ma.fields.String(data_key="_versions", load_default=VERSIONS[0],
                                validate=validate.OneOf(VERSIONS), metadata={
        "description": "an extension of this server: `current` (the default, as the IG says) "
                       "the current version of each resource; `all` every version pushed, "
                       "oldest first, each with its meta.versionId"})

    @ma.validates("resource_types")
    def stored_types_only(self, value: str, **kwargs):
        unknown = sorted(set(value.split(",")) - set(STORED_TYPES))
        if unknown:
            raise ma.ValidationError(f"Not exported (no such records are stored): "
                                     f"{', '.join(unknown)}.")

    @ma.post_load
    def as_arguments(self, data, **kwargs):
        data.pop("output_format", None)
        if "resource_types" in data:
            data["resource_types"] = sorted(set(data["resource_types"].split(",")))
        return data


class BulkFileOut(ma.Schema):
    type = ma.fields.String(required=True, metadata={"description": "the FHIR resource type"})
    url = ma.fields.String(required=True, metadata={
        "description": "GET it with the same bearer token: application/fhir+ndjson"})
    count = ma.fields.Integer(required=True, metadata={"description": "resources in the file"})


class BulkExtensionOut(ma.Schema):
    handover = ma.fields.String(required=True, data_key=HANDOVER_EXTENSION, metadata={
        "description": "URL of the handover manifest (counts and SHA-256 of every file)"})


class BulkManifestOut(ma.Schema):
    """The complete status of a Bulk Data export (Bulk Data Access IG v2)."""
    transactionTime = ma.fields.String(required=True, metadata={
        "description": "FHIR instant: when the export read the data"})
    request = ma.fields.String(required=True, metadata={"description": "the kick-off URL"})
    requiresAccessToken = ma.fields.Boolean(required=True)
    output = ma.fields.List(ma.fields.Nested(BulkFileOut), required=True,
                            metadata={"description": "one file per resource type"})
    error = ma.fields.List(ma.fields.Nested(BulkFileOut), required=True)
    extension = ma.fields.Nested(BulkExtensionOut, required=True)


class HandoverFileOut(BulkFileOut):
    sha256 = ma.fields.String(required=True, metadata={
        "description": "SHA-256 (hex) of the file's bytes as served"})


class HandoverOut(ma.Schema):
    """What the export holds, to check the files against: the counts and a SHA-256 per file."""
    hospital_id = ma.fields.String(required=True)
    export_id = ma.fields.String(required=True)
    transaction_time = ma.fields.String(required=True, metadata={"description": "FHIR instant"})
    versions = ma.fields.String(required=True, validate=validate.OneOf(VERSIONS))
    lines = ma.fields.Integer(required=True, metadata={"description": "resources in all files"})
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    files = ma.fields.List(ma.fields.Nested(HandoverFileOut), required=True)
