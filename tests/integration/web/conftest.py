"""The web page's sign-in against the real development identity provider (a process of its
own, shared by the session: ``tests.support.identity_provider``), on this test's PostgreSQL
and the starter tests' Temporal server and organisation."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from starter.api.app import create_app
from starter.services.connection import Services
from tests.integration.starter.conftest import services, settings
from tests.support.asgi_browser import browser_on
from tests.support.identity_provider import identity_provider
from tests.support.oidc_browser import OidcBrowser

__all__ = ["identity_provider", "services", "settings"]


def signing_in_with(
    services: Services, provider: EmbeddedIdentityProvider, **changes: object
) -> FastAPI:
    """The app, its people signing in through ``provider`` (``changes``: other settings)."""
    settings = services.settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_staff_claim": "staff_ref",
            # Any secret serves the development provider; councils' are confidential clients.
            "oidc_client_secret": SecretStr("web-page-secret"),
            **changes,
        }
    )
    return create_app(dataclasses.replace(services, settings=settings))


@pytest_asyncio.fixture(loop_scope="session")
async def app(services: Services, identity_provider: EmbeddedIdentityProvider) -> FastAPI:
    return signing_in_with(services, identity_provider)


@pytest_asyncio.fixture(loop_scope="session")
async def browser(app: FastAPI) -> AsyncIterator[OidcBrowser]:
    async with (
        browser_on(app) as on_app,
        httpx.AsyncClient(timeout=10) as on_provider,
    ):
        yield OidcBrowser(app=on_app, provider=on_provider)
