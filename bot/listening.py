"""Where the bot's own HTTP servers (the webhook receiver, the staff console) listen."""

from __future__ import annotations

import socket

from aiohttp import web


async def listen(runner: web.AppRunner, host: str, port: int) -> tuple[str, int]:
    """Serve a set-up runner on host:port (IPv4 or IPv6); returns the address bound, whose port
    is the one chosen when ``port`` is 0."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    await web.SockSite(runner, sock).start()
    address = sock.getsockname()
    return address[0], address[1]
