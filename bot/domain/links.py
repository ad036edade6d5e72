"""Which links Telegram accepts on a URL button: its own rules, as one pure function.

Why: Telegram refuses the *whole message* when one URL button holds a link it does not like
("Bad Request: inline keyboard button URL 'http://intranet' is invalid: Wrong HTTP URL"), so a bad
link in the guide turned a person's answer into silence. The emulator refuses what Telegram
refuses with this function, and the bot checks every link it puts on a button (the guide's
importer, `context.keyboard`) with the same one, so the two can never disagree.

The rules are TDLib's, which the Bot API server applies to a button's `url`
(tdlib/td td/telegram/ReplyMarkup.cpp calls `LinkManager::check_link`; LinkManager.cpp
`check_link_impl`; tdutils/td/utils/HttpUrl.cpp `parse_url`):
- `tg:` links (`tg:resolve?domain=x`, `tg://...`) name an internal link: no port, no user info,
  no IPv6, not https, and a host of letters, digits, `-` and `_` only;
- anything else is an HTTP(S) URL: an explicit scheme must be http or https (no scheme means
  http), the port (if given) 1-65535, the host not empty, made of RFC 3986 characters (or
  non-ASCII, or %XX), and it must contain a dot unless it is an IPv6 literal: `http://localhost`,
  `http://intranet` or a bare `not-a-url` are "Wrong HTTP URL"; `https://10.0.0.1` passes.
Spaces in the path are allowed (Telegram percent-encodes them); trailing spaces are dropped.
"""

from __future__ import annotations

import ipaddress

__all__ = ["button_url_problem", "is_button_url"]

#: Host characters RFC 7230 and RFC 3986 allow (after lower-casing), as TDLib lists them.
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_!$,~*'();&+=")
_HEX = frozenset("0123456789abcdef")
_TG_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class _Refused(ValueError):
    """Telegram's reason for refusing a link (its wording)."""


def button_url_problem(url: str, *, https_only: bool = False) -> str | None:
    """Why Telegram would refuse `url` on a URL button (its own words), or None if it accepts it.

    `https_only` adds the rule Telegram applies where only https will do (and that the service
    guide applies to its links): "Only HTTPS links are allowed".
    """
    try:
        _check(url, https_only=https_only)
    except _Refused as refused:
        return str(refused)
    return None


def is_button_url(url: str, *, https_only: bool = False) -> bool:
    """Would Telegram accept `url` on a URL button?"""
    return button_url_problem(url, https_only=https_only) is None


def _check(link: str, *, https_only: bool) -> None:
    internal = link[:3].lower() == "tg:"
    if internal:
        link = link[3:].removeprefix("//")
    scheme, host, is_ipv6, userinfo, port = _parse(link)
    if https_only and (scheme != "https" or internal):
        raise _Refused("Only HTTPS links are allowed")
    if internal:
        if link[:7].lower() == "http://" or scheme == "https" or userinfo or port or is_ipv6:
            raise _Refused("Wrong tg URL")
        if any(c not in _TG_HOST_CHARS for c in host):
            raise _Refused("Unallowed characters in URL host")
        return
    if "." not in host and not is_ipv6:
        raise _Refused("Wrong HTTP URL")


def _parse(url: str) -> tuple[str, str, bool, str, int]:
    """TDLib's parse_url: (scheme, lower-cased host, is IPv6, user info, port given or 0)."""
    head = _read_till(url, ":/?#@[]")
    if url[len(head) : len(head) + 3] == "://":
        scheme = head.lower()
        if scheme not in ("http", "https"):
            raise _Refused("Unsupported URL protocol")
        rest = url[len(head) + 3 :]
    else:
        scheme, rest = "http", url
    authority = _read_till(rest, "/?#")
    port, userinfo_host = _port(authority)
    userinfo, _, host = userinfo_host.rpartition("@")
    is_ipv6 = host.startswith("[") and host.endswith("]") and len(host) >= 2
    if is_ipv6:
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise _Refused("Wrong IPv6 address specified in the URL") from None
    if not host:
        raise _Refused("URL host is empty")
    if host == ".":
        raise _Refused("Host is invalid")
    _check_host(host.lower(), is_ipv6)
    return scheme, host.lower(), is_ipv6, userinfo, port


def _read_till(text: str, stops: str) -> str:
    for index, char in enumerate(text):
        if char in stops:
            return text[:index]
    return text


def _port(authority: str) -> tuple[int, str]:
    """The port after the last ':' (not inside an IPv6 literal or the user info), and the rest."""
    index = len(authority) - 1
    while index > 0 and authority[index] not in ":]@":
        index -= 1
    if index <= 0 or authority[index] != ":":
        return 0, authority
    digits = authority[index + 1 :]
    while len(digits) > 1 and digits[0] == "0":
        digits = digits[1:]
    port = int(digits) if digits.isascii() and digits.isdigit() else -1
    if not 0 < port <= 65535:
        raise _Refused("Wrong port number specified in the URL")
    return port, authority[:index]


def _check_host(host: str, is_ipv6: bool) -> None:
    index = 0
    while index < len(host):
        char = host[index]
        if is_ipv6:
            if index in (0, len(host) - 1) or char == ":" or char == "." or char in _HEX:
                index += 1
                continue
            raise _Refused("Wrong IPv6 URL host")
        if char in _HOST_CHARS or ord(char) >= 128:  # plain UTF-8 is allowed too
            index += 1
            continue
        if char == "%":
            if host[index + 1 : index + 2] in _HEX and host[index + 2 : index + 3] in _HEX:
                index += 3
                continue
            raise _Refused("Wrong percent-encoded symbol in URL host")
        raise _Refused("Wrong URL host")
