"""The demo district, one module per feature: each `seed(services)` adds that feature's sample data.

The demo (bot/sandbox/demo.py) runs every module listed in SEEDS in order on a fresh demo
database, after `core` has created the people below. Keep this growing with the product, so the
demo always shows everything the bot can do.
"""

from __future__ import annotations

# Fixed ids of the demo's people and groups (Telegram-style: users positive, groups negative).
WORKER = 1001  # Li Na, works at JA Gohigh Building
VOLUNTEER = 1002  # Hu Jun, the 06:00 hospital guide
LIAISON = 1003  # Chen Yu, liaison of a company in Park Place
STAFF_TIER = {1: 2001, 2: 2002, 3: 2003, 4: 2004}  # building worker, station, sub-district, district
ORGANISER = 2005
ADMIN = 9001
STAFF_CHAT = {1: -1001, 2: -1002, 3: -1003, 4: -1004}

SEEDS: list[str] = ["core", "enterprises", "guide", "events", "volunteer", "requests", "roles"]
