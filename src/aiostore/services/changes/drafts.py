"""The items of a preview before they are stored: each one's state and findings (`Draft`), and the
spreadsheet rows that could not be read, kept as items with their errors in the sheet's row order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiostore.services.changes.schemas import Finding


@dataclass(slots=True)
class Draft:
    """One item of a preview, before it is stored."""

    seq: int
    sku: str
    row: int | None = None
    variant_id: uuid.UUID | None = None
    channel_account_id: uuid.UUID | None = None
    market: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    action: str | None = None  # a kind's own word for a change (catalog: create, update, unlist)

    def find(self, code: str, severity: str, name: str, message: str) -> None:
        field_path = f"items.{self.seq}.{name}" if name else f"items.{self.seq}"
        self.findings.append(
            Finding(code=code, severity=severity, field=field_path, message=message, row=self.row)
        )

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A spreadsheet row that could not be read into an item: it is kept as an item with these errors
    (`(code, column or "", message)`), so the readable rows still preview and it is reported."""

    row: int
    sku: str
    errors: list[tuple[str, str, str]]


def numbered(items: Sequence[Any], unreadable: Sequence[Unreadable]) -> tuple[list[int], list[Draft]]:
    """Seq numbers in the sheet's row order: each item's (items without a row keep their order, first)
    and the unreadable rows' drafts with their errors found."""
    rows = sorted([(getattr(item, "row", None) or 0, 0, n) for n, item in enumerate(items)]
                  + [(u.row, 1, n) for n, u in enumerate(unreadable)])  # fmt: skip
    seqs = [0] * len(items)
    drafts: list[Draft] = []
    for seq, (_, kind, n) in enumerate(rows):
        if kind == 0:
            seqs[n] = seq
            continue
        found = unreadable[n]
        draft = Draft(seq=seq, sku=found.sku, row=found.row)
        for code, column, message in found.errors:
            draft.find(code, "error", column, message)
        drafts.append(draft)
    return seqs, drafts
