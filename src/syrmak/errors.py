"""Errors a user can fix.

Every error says *where* (file, sheet, row, column), *what* (the offending value)
and *how to fix it*, in the manner of pyxform's messages:

    [questionnaire.xlsx, sheet 'survey', row 12] question 'q3' uses choice list
    'agree5', which is not on the 'choices' sheet. Fix: add the list or correct the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where in the user's input a problem sits; every part is optional."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    line: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(str(self.file))
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return f"[{', '.join(parts)}]" if parts else ""


class SyrmakError(Exception):
    """A problem the user can fix. ``hint`` says how."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        code: str = "error",
        location: Location | None = None,
        **where,
    ) -> None:
        self.message = message
        self.hint = hint
        self.code = code
        if isinstance(where.get("value"), str):
            from syrmak.privacy.detect import safe

            # Errors end up in terminals, logs and bug reports: never carry a contact.
            where["value"] = safe(where["value"])
        self.location = location or Location(**where)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where} {self.message}" if where else self.message
        if self.hint:
            text = f"{text} Fix: {self.hint}"
        return text


@dataclass
class ErrorList:
    """Collects several problems so the user sees them all at once, then raises."""

    errors: list[SyrmakError] = field(default_factory=list)
    limit: int = 20

    def add(self, error: SyrmakError) -> None:
        self.errors.append(error)

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        if len(self.errors) == 1:
            raise self.errors[0]
        shown = self.errors[: self.limit]
        more = len(self.errors) - len(shown)
        lines = [str(e) for e in shown]
        if more:
            lines.append(f"... and {more} more problems of the same kind.")
        first = self.errors[0]
        raise SyrmakError(
            f"{len(self.errors)} problems found:\n" + "\n".join(lines),
            code=first.code,
            location=first.location,
        )
