"""Certificates of volunteer hours: what each serial number certified when it was issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage.db import from_ts, ts


@dataclass(frozen=True)
class Certificate:
    serial: str
    user_id: int
    name: str
    hours: float
    shifts: int
    first_day: date | None
    last_day: date | None
    issued_at: datetime


async def insert(conn: aiosqlite.Connection, cert: Certificate) -> None:
    await conn.execute(
        "INSERT INTO vol_certificates (serial, user_id, name, hours, shifts, first_day, last_day, issued_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cert.serial,
            cert.user_id,
            cert.name,
            cert.hours,
            cert.shifts,
            cert.first_day.isoformat() if cert.first_day else None,
            cert.last_day.isoformat() if cert.last_day else None,
            ts(cert.issued_at),
        ),
    )


async def get(conn: aiosqlite.Connection, serial: str) -> Certificate | None:
    cur = await conn.execute(
        "SELECT serial, user_id, name, hours, shifts, first_day, last_day, issued_at FROM vol_certificates"
        " WHERE serial = ?",
        (serial,),
    )
    r = await cur.fetchone()
    if r is None:
        return None
    issued = from_ts(r[7])
    assert issued is not None
    return Certificate(
        r[0],
        r[1],
        r[2],
        float(r[3]),
        int(r[4]),
        date.fromisoformat(r[5]) if r[5] else None,
        date.fromisoformat(r[6]) if r[6] else None,
        issued,
    )


async def of_user(conn: aiosqlite.Connection, user_id: int) -> list[Certificate]:
    cur = await conn.execute(
        "SELECT serial FROM vol_certificates WHERE user_id = ? ORDER BY issued_at", (user_id,)
    )
    found = [await get(conn, r[0]) for r in await cur.fetchall()]
    return [c for c in found if c is not None]
