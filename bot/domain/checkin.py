"""Check-in proofs: per-shift codes and the distance to the place.

Pure module (callers pass the shift's secret and `now`). Why these rules: hours are credited
only when the person was there, and a permanent QR link printed on a poster proved nothing (it
worked from anywhere, any day). Two proofs are accepted, each only in the shift's check-in
window (domain/shifts.checkin_window):

- a code of THIS shift: the rotating six-digit code on the organiser's screen (a new one every
  minute; the last few are accepted so a slow typist is not refused), or the code of the shift's
  printed poster (valid only in that shift's window, so a photo of it is useless another day);
- a location within the project's radius (default 300 m) of its place.

A check-in that has neither is recorded as unverified: it credits nothing until the organiser
confirms it, and the roster shows how and from how far each person checked in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

ROTATE = timedelta(minutes=1)  # a new code on the organiser's screen every minute
ACCEPTED_STEPS = 3  # the code shown now and the three before it (a code typed within ~3 minutes)
DEFAULT_RADIUS_M = 300
EARTH_RADIUS_M = 6_371_000.0

_ROTATING = re.compile(r"^\d{6}$")
_POSTER = re.compile(r"^[A-Z2-7]{8}$")


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def step_of(moment: datetime) -> int:
    return int(moment.timestamp() // ROTATE.total_seconds())


def rotating_code(secret: str, moment: datetime) -> str:
    """The six digits shown on the organiser's screen at `moment`."""
    value = int.from_bytes(_mac(secret, f"rotating:{step_of(moment)}")[:8], "big")
    return f"{value % 1_000_000:06d}"


def next_rotation(moment: datetime) -> datetime:
    """When the code shown at `moment` is replaced by the next one."""
    seconds = ROTATE.total_seconds()
    return datetime.fromtimestamp((step_of(moment) + 1) * seconds, tz=moment.tzinfo)


def poster_code(secret: str) -> str:
    """The code printed on the shift's own poster (eight letters and digits, no look-alikes)."""
    return base64.b32encode(_mac(secret, "poster")[:5]).decode()


def normalise_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()[:16]


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return bool(_ROTATING.match(code) or _POSTER.match(code))


def code_valid(secret: str, code: str, now: datetime) -> bool:
    """A code of this shift, current (rotating) or the poster's; the window is checked by the caller."""
    code = normalise_code(code)
    if _ROTATING.match(code):
        return any(
            hmac.compare_digest(rotating_code(secret, now - k * ROTATE), code)
            for k in range(ACCEPTED_STEPS + 1)
        )
    return bool(_POSTER.match(code)) and hmac.compare_digest(poster_code(secret), code)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): enough for 'is this person at the desk'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Proof:
    """What a check-in showed: how, whether it proves presence, and the distance of a location."""

    method: str  # code | poster | location | none
    verified: bool
    distance_m: int | None = None


def by_code(secret: str, code: str, now: datetime) -> Proof:
    method = "poster" if _POSTER.match(normalise_code(code)) else "code"
    return Proof(method, code_valid(secret, code, now))


def by_location(latitude: float, longitude: float, place: tuple[float, float] | None, radius_m: int) -> Proof:
    """Within the radius of the place: verified. A project with no place on the map cannot verify."""
    if place is None:
        return Proof("location", False)
    distance = round(distance_m(latitude, longitude, place[0], place[1]))
    return Proof("location", distance <= radius_m, distance)
