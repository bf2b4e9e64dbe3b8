"""MENA Hub bot: the Strong Cities Network MENA Regional Hub's Telegram bot."""
