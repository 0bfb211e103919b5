"""What the consent engine raises. The services map these onto their own domain errors;
nothing here knows about HTTP."""


class ConsentError(Exception):
    """Base of the engine's errors."""


class ConsentInvalid(ConsentError):
    """A new consent's fields do not make a consent. `errors` maps each field, as the API body
    names it, to its messages: the shape of a problem+json `errors` member."""

    def __init__(self, errors: dict):
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__("invalid consent: " + ", ".join(sorted(self.errors)))


class NotRevocable(ConsentError):
    """The consent is in a state that cannot be withdrawn (rejected, entered in error, or
    already inactive)."""


class AlreadyRevoked(NotRevocable):
    """The consent was revoked before; its first revocation stands and is not overwritten."""


class NotPending(ConsentError):
    """The consent awaits no approval: it was approved, rejected or withdrawn already, or was
    never recorded by staff."""


class SelfApproval(ConsentError):
    """The account that recorded a consent cannot approve or reject it: a second one must."""
