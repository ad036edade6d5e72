"""jingan-bot: the Telegram bot of the Jing'an Temple sub-district Party-mass service station."""

import os

__version__ = "0.1.0"

# python-telegram-bot 22 warns on every 429 that RetryAfter.retry_after will become a timedelta;
# opt in to that behaviour now (the outbox sender reads either form; see jobs/sender._seconds).
os.environ.setdefault("PTB_TIMEDELTA", "1")
