"""When duties fall due: ``isobot plan`` (one planning tick), ``simulate`` (every message
between two dates, sent nowhere) and ``calendar show`` (the working calendar)."""
