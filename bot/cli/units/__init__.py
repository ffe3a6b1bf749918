"""``isobot units …``: the unit tree — importing it, reorganising it, who has joined each unit."""
