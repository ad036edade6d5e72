"""Administrators' data in and out, from the command line or from Telegram, through one path:

- `sets`: the data sets (enterprises CSV, volunteer projects YAML, service guide YAML), each
  previewed (dry run) and applied the same way, with one report;
- `uploads`: a file sent to the bot, its dry run, then Confirm / Cancel;
- `exports`: the registry as CSV and the monthly report, as files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.data.datasets import DataSets
from bot.services.data.exports import Exports
from bot.services.data.uploads import Uploads

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Data:
    sets: DataSets
    uploads: Uploads
    exports: Exports


def build(services: Services) -> Data:
    return Data(sets=DataSets(services), uploads=Uploads(services), exports=Exports(services))
