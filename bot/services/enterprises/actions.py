# i18n-domain: enterprises
"""The enterprise feature's button names that other features put on their own messages.

A module with no imports of ours beyond the callback format, so that the request card (which
carries the stability-tag button) and the enterprise services can both name them without
importing each other.
"""

from __future__ import annotations

from bot.callbacks import Action
from bot.msgids import N_

FEATURE = "ent"

# On the staff card of a request with a company: "1|ent|tg|<request id>" opens the tag chooser,
# whose buttons "1|ent|tt|<request id>|<tag>" set or clear one tag.
TAG = Action(FEATURE, "tg")
TOGGLE = Action(FEATURE, "tt")
TAG_LABEL = N_("🏷 Stability")
