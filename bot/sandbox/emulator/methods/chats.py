"""Bot API methods about chats and their members: getChat, members and administrators, leaving,
chat actions, pinning.

Why together: they read or change a chat rather than a message's content; membership answers come
from the people's :class:`~bot.sandbox.people.Group` (who is in it, who administers it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.methods.targets import reachable_chat, target_message
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS"]

#: The bot is an administrator with every right in its groups.
_ADMIN_RIGHTS = (
    "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
    "can_promote_members can_change_info can_invite_users can_post_stories can_edit_stories "
    "can_delete_stories can_pin_messages"
).split()


async def get_chat(emu: Emulator, p: Params) -> JSON:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    info = dict(emu.store.chat_json(chat_id))
    info.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return info


async def get_chat_member(emu: Emulator, p: Params) -> JSON:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    user_id = p.required_integer("user_id")
    return _member_json(emu, chat_id, user_id)


async def get_chat_administrators(emu: Emulator, p: Params) -> list[JSON]:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    if chat_id > 0:
        raise ApiError(400, "Bad Request: there are no administrators in the private chat")
    ids = [emu.bot_id, *sorted(emu.store.groups[chat_id].admins)]
    return [_member_json(emu, chat_id, uid) for uid in ids]


async def get_chat_member_count(emu: Emulator, p: Params) -> int:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    return 2 if chat_id > 0 else len(emu.store.groups[chat_id].member_ids) + 1


async def leave_chat(emu: Emulator, p: Params) -> bool:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    emu.faults.block(chat_id)
    return True


async def send_chat_action(emu: Emulator, p: Params) -> bool:
    chat_id = reachable_chat(emu, p)
    action = p.string("action") or ""
    if not action:
        raise ApiError(400, "Bad Request: action is empty")
    emu.chat_actions.append((chat_id, action))
    emu.bus.publish("chat_action", chat_id, None, action=action)
    return True


async def pin_chat_message(emu: Emulator, p: Params) -> bool:
    chat_id, message_id, slot = target_message(emu, p, verb="pin")
    emu.store.pin(chat_id, slot, message_id)
    return True


async def unpin_chat_message(emu: Emulator, p: Params) -> bool:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    emu.store.unpin(chat_id, p.integer("message_id"))
    return True


async def unpin_all_chat_messages(emu: Emulator, p: Params) -> bool:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    emu.store.unpin(chat_id, None)
    return True


def _member_json(emu: Emulator, chat_id: int, user_id: int) -> JSON:
    """A ChatMember: the bot and a group's admins are administrators, members are members."""
    if user_id == emu.bot_id:
        user = emu.bot_user
    elif user_id in emu.store.people:
        user = emu.store.people[user_id].user_json
    else:
        raise ApiError(400, "Bad Request: user not found")
    if chat_id > 0:
        status = "member" if user_id in (chat_id, emu.bot_id) else "left"
        return {"status": status, "user": user}
    group = emu.store.groups[chat_id]
    if user_id == emu.bot_id or user_id in group.admins:
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            **dict.fromkeys(_ADMIN_RIGHTS, True),
        }
    if user_id in group.member_ids:
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}


METHODS: dict[str, Method] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "leaveChat": leave_chat,
    "sendChatAction": send_chat_action,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
    "unpinAllChatMessages": unpin_all_chat_messages,
}
