"""One way to page a list: read one more than the page, cut, and hand out a cursor naming the
position of the last item shown (a time and a tie-breaking id or seq), which the next request
gives back. Every list of the API pages so: records, shared records, the inbox, the access log,
the approvals queue.

A cursor is opaque to clients: base64url of the JSON [time, tie-breaker], or, for lists whose
positions must not be read by their reader (a shared list could date a record the consent
hides), that JSON sealed with AES-GCM under the list's own scope, so a cursor replayed on another
list is refused.
"""
import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from security.crypto import DecryptionError
from services.errors import InvalidInput


@dataclass(frozen=True)
class Positions:
    """How a list's items are placed: `time` and `tie` are the field names of the sort (newest
    or oldest first, then the tie-breaker), `tie_type` what the tie-breaker is (str ids, int
    seqs). `seal`, when given, is (cipher, scope): cursors are sealed for that list alone."""
    time: str
    tie: str = "_id"
    tie_type: type = str
    seal: tuple | None = None

    def encode(self, doc: dict) -> str:
        at = doc[self.time]
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # pymongo without tz_aware
        text = json.dumps([at.isoformat(), doc[self.tie]])
        if self.seal:
            cipher, scope = self.seal
            text = cipher.encrypt(text, scope)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, cursor: str | None) -> tuple | None:
        """(time, tie) of the cursor's item, None for no cursor. Raises InvalidInput for
        anything encode did not make for this list."""
        if not cursor:
            return None
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            if self.seal:
                cipher, scope = self.seal
                text = cipher.decrypt(text, scope)
            at, tie = json.loads(text)
            if type(tie) is not self.tie_type:  # bool is no seq, a number no id
                raise ValueError
            # In UTC here: a time that cannot be (year 9999 at -23:59) is no cursor we made.
            return datetime.fromisoformat(at).astimezone(timezone.utc), tie
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError,
                DecryptionError):
            raise InvalidInput("The cursor is not valid.",
                               errors={"cursor": ["Not a cursor this API handed out."]}) \
                from None


def page(read: Callable[[tuple | None, int], list], positions: Positions, cursor: str | None,
         limit: int, max_limit: int = 100) -> tuple[list, str | None]:
    """(the page's items, the next cursor or None on the last page). `read(after, n)` returns
    at most n items after the position `after` (None: from the start) in the list's order.
    Raises InvalidInput for a bad cursor."""
    limit = max(1, min(limit, max_limit))
    found = read(positions.decode(cursor), limit + 1)
    more, found = len(found) > limit, found[:limit]
    return found, (positions.encode(found[-1]) if more else None)
