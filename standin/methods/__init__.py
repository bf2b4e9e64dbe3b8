"""The Bot API methods the stand-in answers, one module per area; the table of method names is
in ``standin/server.py``.
"""
