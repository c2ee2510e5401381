"""The app as a browser calls it, over ASGI: cookies kept, redirects shown rather than followed
(the tests look at them); and the sign-in form, filled in with its own CSRF field."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def browser_on(
    app: FastAPI, base_url: str = "http://safeside.test"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


async def sign_in(browser: httpx.AsyncClient, token: str) -> httpx.Response:
    """Sign in as a person pasting ``token`` into the sign-in form."""
    page = await browser.get("/sign-in")
    return await browser.post(
        "/sign-in", data={"csrf_token": form_token(page.text), "token": token}
    )
