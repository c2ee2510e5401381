"""The one service layer under the three doors (``starter.cli``, ``starter.api``,
``starter.web``): who may do and read what (``permissions``), the reads of a child's record
through one gate that checks and writes the access log (``reading``), redaction, recording a
command as its caller (``recording``), and the Temporal and PostgreSQL calls beneath them.

A door never talks to Temporal or PostgreSQL about a child but through this package."""
