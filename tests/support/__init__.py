"""Helpers shared by the test layers (servers, databases, ids)."""
