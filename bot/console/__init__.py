"""The staff console: a web page served by the bot's own process (a Telegram Mini App on the
phone, a plain page in a laptop's browser).

``server.py`` serves it and guards every page, ``access.py`` signs staff in and keeps their
sessions, ``auth.py`` checks Telegram's initData, ``site.py`` is what a page module registers
with, ``rendering.py`` the templates (``templates/``) and ``static/`` the CSS and JavaScript.
The pages themselves are thin handlers in ``handlers/console_<area>.py`` (ARCHITECTURE.md).
"""
