"""The staff Mini App's use cases (the web layer is bot/webapp), one sub-service per screen:

- `board`: the district's buildings and each building's enterprise tiles, filtered and searched;
- `enterprise`: an enterprise's page, and colour changes and visits through the enterprises use cases;
- `request`: a request's history and conversation, claim and resolve (the queue screen that
  lists them is the staff desk's own queue, services.requests.queue `whole`: /queue in private);
- `figures`: weekly and monthly KPIs, their trend, coverage against 100 %;
- `sessions`: the person's language, and the guard against replayed writes;
- `menus`: which staff chats' menu buttons must open the Mini App (or stop doing so).

Every screen checks the person's access (services/access.py) at the moment of the request, and
every change goes through the feature's own use case, exactly as the chat's buttons do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.miniapp.board import DistrictBoard
from bot.services.miniapp.enterprise import EnterpriseScreens
from bot.services.miniapp.figures import FigureScreens
from bot.services.miniapp.menus import MenuButtons
from bot.services.miniapp.request import RequestScreens
from bot.services.miniapp.sessions import Sessions

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class MiniApp:
    board: DistrictBoard
    enterprise: EnterpriseScreens
    request: RequestScreens
    figures: FigureScreens
    sessions: Sessions
    menus: MenuButtons


def build(services: Services) -> MiniApp:
    return MiniApp(
        board=DistrictBoard(services),
        enterprise=EnterpriseScreens(services),
        request=RequestScreens(services),
        figures=FigureScreens(services),
        sessions=Sessions(services),
        menus=MenuButtons(services),
    )
