"""Domain errors: each has a stable `code`; web and CLI map them to statuses and exit codes once."""

from __future__ import annotations


class TechbridgeError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        location: tuple[str | int, ...] | None = None,
        message_zh: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.location = location

    def localized(self, lang: str) -> str:
        """The message in `lang` ("zh…" picks Chinese when given), prefixed by its location."""
        text = self.said(lang)
        if self.location:
            return ":".join(str(part) for part in self.location) + ": " + text
        return text

    def said(self, lang: str) -> str:
        """The message in `lang` without its location, for a form that shows it beside the field it names."""
        return self.message_zh if lang.startswith("zh") and self.message_zh else self.message

    def __str__(self) -> str:
        if self.location:
            where = ":".join(str(part) for part in self.location)
            return f"{where}: {self.message}"
        return self.message


class NotFoundError(TechbridgeError):
    """A record does not exist or is not visible to the viewer."""

    code = "not_found"


class ConflictError(TechbridgeError):
    """The change contradicts stored state (duplicate key, illegal transition)."""

    code = "conflict"


class JobBusyError(ConflictError):
    """Another process of this host runs the same background job (the index has one writer per host)."""

    code = "job_busy"


class InvalidDataError(TechbridgeError):
    """Input that cannot be accepted; `location` names file, row, column or field."""

    code = "invalid_data"


class PermissionDeniedError(TechbridgeError):
    """The viewer may not perform this action."""

    code = "permission_denied"
