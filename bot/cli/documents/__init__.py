"""What the province sends units to act on: ``isobot directive …`` and ``isobot legal …``, and
the document file both read (``reading``)."""
