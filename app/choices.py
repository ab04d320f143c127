"""Choices with their labels: a ``StrEnum`` whose members carry a Korean label (NetBox's ChoiceSet, one per feature).

Members are strings, so JSON, SQL parameters and comparisons with stored values need no conversion.
"""

from __future__ import annotations

from enum import StrEnum


class Choices(StrEnum):
    """Members are written ``NAME = "value", "라벨", *extra``; subclasses name the extras in ``__init__``."""

    label: str

    def __new__(cls, value: str, label: str, *extra: object) -> Choices:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every value, in declaration order."""
        return tuple(m.value for m in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value → label, for templates and exports."""
        return {m.value: m.label for m in cls}

    @classmethod
    def form_choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a form's select field."""
        return [(m.value, m.label) for m in cls]

    @classmethod
    def check_sql(cls, column: str) -> str:
        """The check constraint's SQL: ``column IN ('a', 'b', …)``."""
        return f"{column} IN ({', '.join(repr(m.value) for m in cls)})"
