"""Files people sent the bot, opened in the console: fetched through the bot's own getFile
access and streamed to the browser as they arrive, never written anywhere."""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import quote

import aiohttp
from aiohttp import web
from telegram import Bot
from telegram.error import TelegramError

from bot.console.site import ConsoleContext
from storage.models import RequestAttachment

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
DOWNLOAD_TIMEOUT_S = 60.0
# Shown in the browser; anything else (HTML, SVG, scripts, office files) is downloaded, so a
# file someone sent can never run as a page of the console.
INLINE_TYPES = frozenset(
    {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "text/plain"}
)


def content_type(attachment: RequestAttachment) -> str:
    if attachment.kind == "photo":
        return "image/jpeg"  # Telegram re-encodes every photo as JPEG
    guessed, _ = mimetypes.guess_type(attachment.file_name or "")
    return guessed or "application/octet-stream"


def disposition(attachment: RequestAttachment, shown_inline: bool) -> str:
    name = attachment.file_name or ("photo.jpg" if attachment.kind == "photo" else "file")
    how = "inline" if shown_inline else "attachment"
    # RFC 6266 / 5987: any name (Arabic included) travels percent-encoded.
    return f"{how}; filename*=UTF-8''{quote(name, safe='')}"


async def stream_attachment(
    console: ConsoleContext, bot: Bot, attachment: RequestAttachment
) -> web.StreamResponse:
    try:
        telegram_file = await bot.get_file(attachment.file_id)
    except TelegramError as error:
        logger.warning("console: getFile refused for a request file: %s", error)
        raise web.HTTPBadGateway() from error
    if not telegram_file.file_path:
        raise web.HTTPBadGateway()
    kind = content_type(attachment)
    shown_inline = kind in INLINE_TYPES
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_S)
    # The address carries the bot token: it is never logged nor shown to the browser.
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(telegram_file.file_path) as upstream,
    ):
        if upstream.status != 200:
            logger.warning("console: a request file answered HTTP %s", upstream.status)
            raise web.HTTPBadGateway()
        response = web.StreamResponse(
            headers={
                "Content-Type": kind if shown_inline else "application/octet-stream",
                "Content-Disposition": disposition(attachment, shown_inline),
                # Even a PDF or an image is shown as a document apart from the console.
                "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; "
                "style-src 'unsafe-inline'; object-src 'self'",
                "Cache-Control": "private, no-store",
            }
        )
        if upstream.content_length is not None:
            response.content_length = upstream.content_length
        await response.prepare(console.request)
        async for chunk in upstream.content.iter_chunked(CHUNK_BYTES):
            await response.write(chunk)
        await response.write_eof()
    await console.audit("request.file", attachment.file_unique_id)
    return response
