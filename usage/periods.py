"""Quarters and years of the NHS financial year (April to March), which is how local leads report. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_MONTHS = ("April", "May", "June", "July", "August", "September", "October", "November", "December", "January",
           "February", "March")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in: 2026 is April 2026 to March 2027
    number: int  # 1 (April to June) to 4 (January to March)

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.number}"

    @classmethod
    def from_key(cls, key: str) -> Quarter:
        year, number = key.split("Q")
        return cls(int(year), int(number))

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next().start

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def label(self) -> str:
        first, last = _MONTHS[3 * (self.number - 1)], _MONTHS[3 * self.number - 1]
        return f"{first} to {last} {self.end.year if self.number == 4 else self.start.year}"

    @property
    def short(self) -> str:
        return f"{self.label.split()[0][:3]}–{self.label.split()[2][:3]} {self.label.split()[-1][2:]}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)


@dataclass(frozen=True, order=True)
class FinancialYear:
    year: int

    @property
    def key(self) -> str:
        return f"FY{self.year}"

    @property
    def label(self) -> str:
        return f"April {self.year} to March {self.year + 1}"

    @property
    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.year, n) for n in range(1, 5))


def quarter_of(day: date) -> Quarter:
    months_in = (day.month - 4) % 12
    return Quarter(day.year if day.month >= 4 else day.year - 1, months_in // 3 + 1)


def last_complete(today: date) -> Quarter:
    return quarter_of(today).previous()


def quarters_from(first: Quarter, last: Quarter) -> list[Quarter]:
    found, quarter = [], first
    while quarter <= last:
        found.append(quarter)
        quarter = quarter.next()
    return found
