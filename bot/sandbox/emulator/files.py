"""Files known to the emulator: what the bot uploaded and what people sent, with ids and paths.

Why apart from the chat store: a file outlives its message (the bot re-sends by file_id, and
downloads by file_path through a route of its own), and people's pictures need the same ids and
thumbnails as the bot's, so both sides register files here.
"""

from __future__ import annotations

import hashlib
import struct

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON, FileRecord

__all__ = ["FileStore", "image_size"]

#: Pictures larger than this (either side) get a thumbnail first in their PhotoSize list.
_THUMB_ABOVE = 320
_THUMB_SIDE = 90
_DEFAULT_SIZE = (800, 600)


class FileStore:
    """Every file by file_id, and by file_path once the bot asked for it (getFile)."""

    def __init__(self) -> None:
        self._files: dict[str, FileRecord] = {}
        self._by_path: dict[str, FileRecord] = {}
        self._counter = 0

    def get(self, file_id: str) -> FileRecord | None:
        return self._files.get(file_id)

    def by_path(self, path: str) -> FileRecord | None:
        return self._by_path.get(path)

    def register(
        self,
        data: bytes | None,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> FileRecord:
        """A new file with Telegram-looking ids (unique per registration, even for equal bytes)."""
        self._counter += 1
        n = self._counter
        digest = hashlib.sha1((data or (url or "").encode()) + n.to_bytes(8, "big")).hexdigest()
        prefix = {"photo": "AgACAgUAAxk", "document": "BQACAgUAAxk"}.get(kind, "CAACAgUAAxk")
        record = FileRecord(
            file_id=f"{prefix}{digest[:24]}_{n}",
            file_unique_id=f"AQAD{digest[24:36]}{n}",
            data=data,
            url=url,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
        )
        if size is not None:
            record.width, record.height = size
        self._files[record.file_id] = record
        return record

    def register_upload(
        self, data: bytes, *, kind: str, file_name: str | None, mime_type: str | None
    ) -> FileRecord:
        """Register uploaded bytes; pictures get their real dimensions (800x600 if unreadable)."""
        size = (image_size(data) or _DEFAULT_SIZE) if kind == "photo" else None
        return self.register(data, kind=kind, file_name=file_name, mime_type=mime_type, size=size)

    def from_request(
        self, p: Params, name: str, *, kind: str
    ) -> tuple[FileRecord, bytes | None, str | None, str | None]:
        """The file sent as ``name``: a multipart upload, a known file_id, or an HTTP URL.

        Returns the record, its bytes (None for a URL), its file name and its MIME type.
        """
        if name in p.files:
            filename, data, mime = p.files[name]
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            record = self.register_upload(data, kind=kind, file_name=filename, mime_type=mime)
            return record, data, filename, mime
        ref = p.string(name)
        if not ref:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        if ref.startswith("attach://"):
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        known = self._files.get(ref)
        if known is not None:
            return known, known.data, known.file_name, known.mime_type
        if ref.startswith(("http://", "https://")):
            url_name = ref.rsplit("/", 1)[-1] or None
            record = self.register(None, kind=kind, url=ref, file_name=url_name, size=_DEFAULT_SIZE)
            return record, None, url_name, None
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def path_of(self, record: FileRecord) -> str:
        """The file_path getFile answers (given on first request; then the download route serves it)."""
        if record.file_path is None:
            folder = "photos" if record.kind == "photo" else "documents"
            suffix = ""
            if record.file_name and "." in record.file_name:
                suffix = "." + record.file_name.rsplit(".", 1)[-1]
            elif record.kind == "photo":
                suffix = ".jpg"
            record.file_path = f"{folder}/file_{len(self._by_path)}{suffix}"
            self._by_path[record.file_path] = record
        return record.file_path

    def photo_sizes(self, record: FileRecord) -> list[JSON]:
        """PhotoSize list: a thumbnail first when the picture is large, like Telegram (use [-1])."""
        width, height = record.width or _DEFAULT_SIZE[0], record.height or _DEFAULT_SIZE[1]
        full = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "width": width,
            "height": height,
            "file_size": record.size,
        }
        if max(width, height) <= _THUMB_ABOVE:
            return [full]
        factor = _THUMB_SIDE / max(width, height)
        thumb_key = f"{record.file_id}:thumb"
        thumb = self._files.get(thumb_key)
        if thumb is None:
            thumb = self.register(
                record.data,
                kind="photo",
                mime_type=record.mime_type,
                url=record.url,
                size=(max(1, round(width * factor)), max(1, round(height * factor))),
            )
            self._files[thumb_key] = thumb
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": thumb.width,
                "height": thumb.height,
                "file_size": thumb.size,
            },
            full,
        ]


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of PNG, GIF or JPEG bytes (None if not recognised)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return None
