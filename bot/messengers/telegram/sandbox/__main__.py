"""``python -m bot.messengers.telegram.sandbox [--port 8081] [--token T] [--no-rate-limits]``."""

from bot.messengers.sandbox import main
from bot.messengers.telegram.sandbox import TelegramSandbox

main(TelegramSandbox, port=8081)
