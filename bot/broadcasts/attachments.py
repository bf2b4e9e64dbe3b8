"""Files staff attach to an announcement in the console: what Telegram takes, and where the
file waits until its broadcast is done.

A photo goes as a photo (JPEG, PNG or WebP, at most 10 MB, width plus height at most 10,000
pixels, one side at most 20 times the other: Telegram's sendPhoto limits); a document as a
file (PDF, office documents, plain text or CSV, at most 50 MB: what a bot may upload). The type
is read from the bytes, not from the name the browser gives. The bytes are kept in
``data/announcement-files/`` (folder 0700, files 0600) until the broadcast is done or cancelled,
so a broadcast interrupted by a restart still has them; once Telegram has the file, every other
recipient gets it by its ``file_id``.
"""

from __future__ import annotations

import asyncio
import enum
import io
import logging
import os
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from bot.clock import Clock
from bot.delivery import Part
from storage.announcement_files import AnnouncementFile, AnnouncementFileRepository

logger = logging.getLogger(__name__)

MB = 1024 * 1024
PHOTO_MAX_BYTES = 10 * MB
DOCUMENT_MAX_BYTES = 50 * MB
PHOTO_MAX_SIDES = 10_000  # width + height
PHOTO_MAX_RATIO = 20
# A file staged in the composer and never sent is removed after this long.
UNSENT_KEPT = timedelta(days=1)
FOLDER_NAME = "announcement-files"
FILE_NAME_MAX = 120

_PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_ZIP_DOCUMENTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_OLE_DOCUMENTS = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_TEXT_DOCUMENTS = {"txt": "text/plain", "csv": "text/csv"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class Refusal(enum.Enum):
    EMPTY = "empty"
    TYPE = "type"
    TOO_LARGE = "too_large"
    PHOTO_SHAPE = "photo_shape"


@dataclass(frozen=True)
class Checked:
    """An acceptable file: how it goes (photo or document) and its type."""

    kind: str
    mime_type: str


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    limit_mb: int | None = None


def clean_file_name(name: str) -> str:
    """The name recipients see: the browser's, without folders or control characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("", base).strip(" .")
    if len(base) > FILE_NAME_MAX:
        stem, dot, extension = base.rpartition(".")
        base = f"{stem[: FILE_NAME_MAX - len(extension) - 1]}.{extension}" if dot else base
    return base[:FILE_NAME_MAX] or "file"


def check_file(file_name: str, content: bytes) -> Checked | Refused:
    """Whether Telegram takes this file in an announcement, and as what."""
    if not content:
        return Refused(Refusal.EMPTY)
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    photo = _photo_format(content)
    if photo is not None:
        if len(content) > PHOTO_MAX_BYTES:
            return Refused(Refusal.TOO_LARGE, PHOTO_MAX_BYTES // MB)
        width, height = photo[1]
        if width + height > PHOTO_MAX_SIDES or max(width, height) > PHOTO_MAX_RATIO * min(
            width, height
        ):
            return Refused(Refusal.PHOTO_SHAPE)
        return Checked("photo", photo[0])
    mime = _document_type(extension, content)
    if mime is None:
        return Refused(Refusal.TYPE)
    if len(content) > DOCUMENT_MAX_BYTES:
        return Refused(Refusal.TOO_LARGE, DOCUMENT_MAX_BYTES // MB)
    return Checked("document", mime)


def _photo_format(content: bytes) -> tuple[str, tuple[int, int]] | None:
    """(type, size) of a JPEG, PNG or WebP image; only its header is read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                mime = _PHOTO_FORMATS.get(image.format or "")
                return (mime, image.size) if mime is not None else None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _document_type(extension: str, content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"PK\x03\x04") and extension in _ZIP_DOCUMENTS:
        return _ZIP_DOCUMENTS[extension]
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and extension in _OLE_DOCUMENTS:
        return _OLE_DOCUMENTS[extension]
    if extension in _TEXT_DOCUMENTS and b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return _TEXT_DOCUMENTS[extension]
    return None


@dataclass(frozen=True)
class Upload:
    """A console file Telegram does not have yet: it goes up with the next message."""

    file: AnnouncementFile
    content: bytes

    def into(self, parts: list[Part]) -> list[Part]:
        return [
            replace(part, upload=self.content, file_name=self.file.file_name)
            if part.attachment_kind is not None
            else part
            for part in parts
        ]


class AttachmentStore:
    """The composer's files: checked, kept owner-only on disk, removed when done with."""

    def __init__(self, folder: Path, files: AnnouncementFileRepository, clock: Clock) -> None:
        self.folder = folder
        self._files = files
        self._clock = clock

    async def stage(
        self, owner_id: int, file_name: str, content: bytes
    ) -> AnnouncementFile | Refused:
        """Keep an uploaded file for the announcement being written, if Telegram takes it."""
        name = clean_file_name(file_name)
        checked = check_file(name, content)
        if isinstance(checked, Refused):
            return checked
        await self.forget_unsent()
        token = secrets.token_urlsafe(24)
        await asyncio.to_thread(self._write, token, content)
        return await self._files.add(
            token=token,
            owner_id=owner_id,
            kind=checked.kind,
            file_name=name,
            mime_type=checked.mime_type,
            size=len(content),
            now=self._clock.now(),
        )

    async def get(self, token: str) -> AnnouncementFile | None:
        return await self._files.get(token)

    async def for_broadcast(self, broadcast_id: int) -> AnnouncementFile | None:
        return await self._files.for_broadcast(broadcast_id)

    async def content(self, file: AnnouncementFile) -> bytes | None:
        """The bytes, or None if they are gone (removed by hand, say)."""
        try:
            return await asyncio.to_thread(self._path(file.token).read_bytes)
        except FileNotFoundError:
            return None

    async def uploaded(self, file: AnnouncementFile, file_id: str) -> None:
        """Telegram has it: from now on it goes by ``file_id``."""
        await self._files.set_file_id(file.token, file_id)

    async def attach(self, token: str, broadcast_id: int) -> None:
        await self._files.attach(token, broadcast_id)

    async def release(self, broadcast_id: int) -> None:
        """The broadcast is done or cancelled: its file is no longer kept."""
        file = await self._files.for_broadcast(broadcast_id)
        if file is not None:
            await self._remove(file.token)

    async def forget_unsent(self) -> None:
        """Files staged in the composer a day ago and never sent."""
        for token in await self._files.unattached_before(self._clock.now() - UNSENT_KEPT):
            await self._remove(token)

    async def _remove(self, token: str) -> None:
        self._path(token).unlink(missing_ok=True)
        await self._files.remove(token)

    def _path(self, token: str) -> Path:
        return self.folder / token

    def _write(self, token: str, content: bytes) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        descriptor = os.open(self._path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
