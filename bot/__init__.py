"""jingan-bot: the Telegram bot of the Jing'an Temple sub-district Party-mass service station."""

__version__ = "0.1.0"
