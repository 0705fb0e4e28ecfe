"""The few errors prep-bot raises, each with a message a user can act on."""


class PrepBotError(Exception):
    """Base class: anything prep-bot reports to a user as a one-line message."""


class ConfigError(PrepBotError):
    """A setting or knowledge file is missing or invalid."""


class EvidenceFileError(PrepBotError):
    """One evidence file cannot be ingested (unsupported, broken, empty, too large)."""


class StoreError(PrepBotError):
    """The evidence store cannot be opened or reached."""


class UnknownDocumentError(PrepBotError):
    """No stored document has the given id."""


class UnknownPassageError(PrepBotError):
    """No stored passage has the given id."""


class InputError(PrepBotError, ValueError):
    """What someone typed or chose cannot be used (an empty answer, a question that is not on
    the list); the message says what to do instead. A ValueError for code that catches those."""


class UnknownStatementError(PrepBotError, KeyError):
    """A quality statement or theme slug that the framework does not have."""
