"""The pure domain of a residential unit: what the seed gives to the unit as a whole rather
than to one child (R4 whereabouts checks, R13 house meetings, R14 building and outside checks,
R16 handover). Imports only the standard library, pydantic and the placement domain's types."""
