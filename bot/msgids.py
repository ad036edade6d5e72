"""N_(): mark an English msgid for extraction where it is defined; translate it where it is shown.

A module of its own, with no imports, so that pure rules (bot/domain) and services can name the
texts they own without pulling Jinja2 and Babel in.
"""


def N_(message: str) -> str:
    return message
