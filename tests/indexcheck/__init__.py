"""The index check the test suite runs: the shape of every query the application sends
(shapes), recorded through a wrapper on the database handle (recorder, hooked in by
tests/query_shape_check.py through models.db.add_handle_hook), judged against the indexes
declared in models/indexes.py (coverage)."""
