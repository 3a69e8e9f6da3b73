"""Errors services raise; the web and API layers turn them into clear answers."""

from __future__ import annotations

from sns.i18n import gettext


class ServiceError(Exception):
    """A request the rules or the input do not allow. `message` is an untranslated msgid."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, **params) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params

    def text(self) -> str:
        return gettext(self.message, **self.params)


class Invalid(ServiceError):
    status = 400


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class TooMany(ServiceError):
    status = 429


class Conflict(ServiceError):
    status = 409
