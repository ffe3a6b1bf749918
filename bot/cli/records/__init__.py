"""What an operator reads out of isobot: ``isobot export``, ``ics``, ``digest``, ``report`` (the
year's report) and the evidence store (``dossier``, ``evidence verify``)."""
