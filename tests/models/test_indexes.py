"""Start-up's index work on a database that another instance is changing at the same time."""
import mongomock
import pytest
from pymongo.errors import OperationFailure

from models import indexes


class RacingCollection:
    """An index that another instance drops between our look and our drop."""
    def __init__(self, code: int):
        self.code, self.dropped = code, []

    def index_information(self):
        return {name: {} for names in indexes.RETIRED.values() for name in names}

    def drop_index(self, name):
        raise OperationFailure("index not found", code=self.code)


def test_an_index_another_instance_dropped_first_is_not_an_error():
    collection = RacingCollection(indexes.INDEX_NOT_FOUND)
    indexes._drop_retired({name: collection for name in indexes.RETIRED})


def test_other_failures_of_a_drop_still_stop_the_start():
    collection = RacingCollection(13)  # unauthorised
    with pytest.raises(OperationFailure):
        indexes._drop_retired({name: collection for name in indexes.RETIRED})


def test_retired_indexes_are_dropped_and_declared_ones_kept():
    db = mongomock.MongoClient().db
    db.records.create_index([("hospital_id", 1), ("resource_type", 1), ("source_key", 1)])
    indexes.ensure_indexes(db)
    present = db.records.index_information()
    assert "hospital_id_1_resource_type_1_source_key_1" not in present
    assert {"records_hospital_source", "records_author_source"} <= set(present)
