"""Data-subject requests (services/rights): one document per request, keyed by its patient for
every read; `details` arrive sealed."""
from models.db import ReturnDocument, require_str


class DataRequests:
    def __init__(self, db):
        self.db = db

    def insert(self, doc: dict) -> None:
        self.db.data_requests.insert_one(doc)

    def get(self, patient_id: str, request_id: str) -> dict | None:
        require_str(patient_id, request_id)
        return self.db.data_requests.find_one({"_id": request_id, "patient_id": patient_id})

    def for_patient(self, patient_id: str, *, before: tuple | None, limit: int) -> list[dict]:
        """Newest first; `before` is the (received_at, _id) of the last item of the page
        before."""
        require_str(patient_id)
        query: dict = {"patient_id": patient_id}
        if before:
            query["$or"] = [{"received_at": {"$lt": before[0]}},
                            {"received_at": before[0], "_id": {"$lt": before[1]}}]
        return list(self.db.data_requests.find(query).sort(
            [("received_at", -1), ("_id", -1)]).limit(limit))

    def queue(self, status: str | None, *, after: tuple | None, limit: int) -> list[dict]:
        """Every patient's requests (staff work them all), earliest due day first, then by id;
        `after` is the (due, _id) of the last item of the page before."""
        query: dict = {"status": status} if status else {}
        if after:
            query["$or"] = [{"due": {"$gt": after[0]}}, {"due": after[0], "_id": {"$gt": after[1]}}]
        return list(self.db.data_requests.find(query).sort([("due", 1), ("_id", 1)]).limit(limit))

    def get_any(self, request_id: str) -> dict | None:
        """A request by id, whoever's (for staff, who act for every patient)."""
        require_str(request_id)
        return self.db.data_requests.find_one({"_id": request_id})

    def move(self, request_id: str, condition: dict, fields: dict) -> dict | None:
        """Set `fields` only while the request matches `condition` (its status, not yet
        extended): one conditional write, so two staff members cannot both decide it. The
        request as changed, or None."""
        require_str(request_id)
        return self.db.data_requests.find_one_and_update(
            {"_id": request_id, **condition}, {"$set": fields},
            return_document=ReturnDocument.AFTER)
