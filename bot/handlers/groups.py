"""python-telegram-bot's handler groups, in the order an update meets them, named in one place.

Every group whose handler matches runs (lowest first); within a group only the first match runs.
So what must see every update comes first, and a typed answer that belongs to a prompt must be
claimed before the features' general text handlers (group 0) could read it as something else.
"""

PROFILE = -100  # load the person's profile and language (common.load_profile)
FLOOD = -99  # answer a flooder once, then ignore them for a while (flood.FloodGuard)
CHAT_MOVES = -50  # a group upgraded to a supergroup keeps its role, whatever the features match
VOLUNTEER_PROMPTS = -3  # a volunteer's typed answer to the bot's question (volunteer.typed)
REPLIES = -2  # a reply to the bot's prompt or card (replies.on_reply, /cancel in groups)
REQUESTER_ANSWERS = -1  # the requester's typed answer in private (requests.maybe_answer)
FEATURES = 0  # the features' commands, buttons and, last, the fallbacks
