"""Marshmallow schemas, a family per resource (XIn, XOut, XQuery). Unknown fields are refused
and strings must be strings, so no operator object can reach a MongoDB filter."""
