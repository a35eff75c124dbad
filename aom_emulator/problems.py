"""The exceptions of a request the service refuses, raised by the pure pieces (validation, query,
store, silence rules) and answered by ``errors.answer_for``. Standard library only, so those pieces
import without aiohttp (the unit tests' fake AOM uses them on Pythons without it)."""


class BadRequest(Exception):
    """Invalid request parameters; answered as 400 ``AOM.30005001`` with this message."""


class UnsupportedMediaType(Exception):
    """A body that is not declared JSON; answered 415 (the emulator's choice, see the README)."""
