"""Seed the district's 38 office buildings from the shipped data file (bot/data/buildings.csv)."""

import csv
from pathlib import Path

import aiosqlite

DATA = Path(__file__).resolve().parents[2] / "data" / "buildings.csv"


async def up(conn: aiosqlite.Connection) -> None:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    await conn.executemany(
        "INSERT INTO buildings (code, name_zh, name_en, name_fr, address, latitude, longitude)"
        " VALUES (:code, :name_zh, :name_en, :name_fr, :address, :latitude, :longitude)"
        " ON CONFLICT(code) DO NOTHING",
        rows,
    )
