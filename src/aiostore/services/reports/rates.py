"""The organisation's reporting currency and its own dated exchange rates, and totals converted with them.

A rate applies from its `valid_from` day until the next rate of the same currency; an amount of a day
before the first rate cannot be converted, and then the converted total is withheld and says so.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ExchangeRate, Organization
from aiostore.domain.market import Currency
from aiostore.services import audit
from aiostore.services.context import OrgContext


@dataclass(frozen=True, slots=True)
class Rate:
    currency: str
    valid_from: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class RateSheet:
    reporting_currency: str | None
    rates: list[Rate]


@dataclass(frozen=True, slots=True)
class Converted:
    currency: str
    amount: int | None  # minor units; None when some amount had no rate in force
    rates_used: list[Rate]
    missing: list[tuple[str, date]]  # (currency, first day) with no rate in force


def _exponent(currency: str) -> int:
    return Currency(currency).exponent if currency in Currency.__members__.values() else 2


async def reporting_currency(session: AsyncSession, ctx: OrgContext) -> str | None:
    return await session.scalar(select(Organization.reporting_currency).where(Organization.id == ctx.org_id))


async def get_rates(session: AsyncSession, ctx: OrgContext) -> RateSheet:
    reporting = await reporting_currency(session, ctx)
    found = await session.scalars(
        select(ExchangeRate).order_by(ExchangeRate.currency, ExchangeRate.valid_from)
    )
    return RateSheet(reporting, [Rate(r.currency, r.valid_from, r.rate) for r in found.all()])


def _dump(sheet: RateSheet) -> dict[str, Any]:
    return {
        "reporting_currency": sheet.reporting_currency,
        "rates": [[r.currency, r.valid_from.isoformat(), str(r.rate)] for r in sheet.rates],
    }


async def set_rates(session: AsyncSession, ctx: OrgContext, sheet: RateSheet) -> RateSheet:
    """Replace the reporting currency and every rate (admins and owners); audited. The same sheet again
    changes and audits nothing."""
    before = await get_rates(session, ctx)
    if _dump(before) == _dump(sheet):
        return before
    org = await session.get(Organization, ctx.org_id, with_for_update=True)
    if org is not None:
        org.reporting_currency = sheet.reporting_currency
    await session.execute(delete(ExchangeRate).where(ExchangeRate.org_id == ctx.org_id))
    session.add_all(
        ExchangeRate(org_id=ctx.org_id, currency=r.currency, valid_from=r.valid_from, rate=r.rate)
        for r in sheet.rates
    )
    await session.flush()
    await audit.record(
        session,
        ctx,
        "reports.rates_changed",
        "organization",
        ctx.org_id,
        before=_dump(before),
        after=_dump(sheet),
    )
    return sheet


def _in_force(table: dict[str, list[Rate]], currency: str, day: date) -> Rate | None:
    found = table.get(currency, [])
    i = bisect.bisect_right([r.valid_from for r in found], day)
    return found[i - 1] if i else None


def convert_amounts(sheet: RateSheet, by_day: dict[tuple[date, str], int]) -> Converted | None:
    """The sum of amounts per (day, currency) in the reporting currency, each at the rate of its day."""
    target = sheet.reporting_currency
    if target is None:
        return None
    table: dict[str, list[Rate]] = {}
    for r in sheet.rates:
        table.setdefault(r.currency, []).append(r)
    for found in table.values():
        found.sort(key=lambda r: r.valid_from)
    total = Decimal(0)
    used: set[Rate] = set()
    missing: dict[str, date] = {}
    for (day, currency), amount in sorted(by_day.items()):
        if currency == target:
            total += amount
            continue
        rate = _in_force(table, currency, day)
        if rate is None:
            missing[currency] = min(day, missing.get(currency, day))
            continue
        used.add(rate)
        total += Decimal(amount) * rate.rate * Decimal(10) ** (_exponent(target) - _exponent(currency))
    return Converted(
        target,
        None if missing else int(total.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)),
        sorted(used, key=lambda r: (r.currency, r.valid_from)),
        sorted(missing.items()),
    )


async def convert(
    session: AsyncSession, ctx: OrgContext, by_day: dict[tuple[date, str], int]
) -> Converted | None:
    return convert_amounts(await get_rates(session, ctx), by_day)
