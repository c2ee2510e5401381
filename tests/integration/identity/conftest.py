from tests.support.identity_provider import identity_provider

__all__ = ["identity_provider"]
