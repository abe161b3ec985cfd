"""The English interface writes dates as the Vietnamese one does: dd/mm/yyyy, 24-hour time."""

from config.formats.vi.formats import *  # noqa: F403
