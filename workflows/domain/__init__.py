"""The pure domain of Safeside: events, commands, state, decisions and time rules.

Imports only the standard library, pydantic and holidays, so it runs inside the Temporal
workflow sandbox and in unit tests without a server.
"""
