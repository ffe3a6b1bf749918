"""The people of the units: ``isobot members``, ``absence``, ``invite`` (codes to join, one or
many) and ``person`` (a person's data rights)."""
