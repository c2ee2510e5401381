"""The web page in headless Chromium (Playwright), against the real app served on a free
loopback port, a real worker on the dev server, and this test's own database and task queue.

One browser for the whole session (it starts in about a second); each person in a test gets a
browser context of their own (their own cookies), signed in as people are: through the sign-in
page and the development identity provider's login page (a real OpenID Connect provider, a
process of its own shared by the session).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from safeside.db import Pool
from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from safeside.policy_file import load_policy
from safeside.settings import Settings
from starter.api.app import create_app
from starter.api.server import running_api
from starter.cli.demo import demo_policy
from starter.services.connection import Services
from tests.integration.starter.conftest import worker
from tests.support.identity_provider import identity_provider
from tests.support.organisation import seed_test_organisation
from tests.support.security import security_settings

__all__ = ["identity_provider", "worker"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The leaflet (R1) is due this long after arrival, so its escalations land within the test.
LEAFLET_DUE_IN = timedelta(seconds=5)
# Today's live part is fetched again this often in the tests (30 s in use).
TODAY_REFRESH_SECONDS = 1
# A desk's window, unless a test asks for a phone's or a tablet's.
DESK = ViewportSize(width=1280, height=900)

SignIn = Callable[..., Awaitable[Page]]

# Waiting for something to appear is not timing it: these only bound how long a test waits
# for a page to show what a worker, a clock or a refresh brings.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests save screenshots of the main pages (build/ is not committed)."""
    folder = Path(os.environ.get("SAFESIDE_SCREENSHOTS_DIR") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def readme_screenshots(screenshots: Path) -> Path:
    """Where the tests save the README's images: docs/screenshots/ when
    ``SAFESIDE_README_SCREENSHOTS=1`` (``make screenshots``), else beside the others, so that
    a test run leaves the committed images alone."""
    if os.environ.get("SAFESIDE_README_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    folder = screenshots / "readme"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; the tests fail (never skip) without it, saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"the web page's end-to-end tests need Chromium at {CHROMIUM}, which is missing: "
            "run `make browser` (apt-get install chromium)",
            pytrace=False,
        )
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # Playwright gives each launch a fresh, temporary user-data folder of its own.
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
def settings(
    dev_env: WorkflowEnvironment,
    database_url: str,
    task_queue: str,
    tmp_path: Path,
    identity_provider: EmbeddedIdentityProvider,
) -> Settings:
    """The starter tests' settings, with a policy file whose leaflet clock runs for seconds:
    the worker's projections and the app's starts read the same file, as in use."""
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(demo_policy(LEAFLET_DUE_IN).model_dump_json(), encoding="utf-8")
    return security_settings(
        temporal_address=dev_env.client.service_client.config.target_host,
        database_url=database_url,
        task_queue=task_queue,
        log_level="WARNING",
        policy_file=policy_file,
        oidc_issuer=identity_provider.issuer,
        oidc_staff_claim="staff_ref",
        oidc_client_secret=SecretStr("web-page-secret"),
    )


@pytest_asyncio.fixture(loop_scope="session")
async def services(dev_env: WorkflowEnvironment, pool: Pool, settings: Settings) -> Services:
    """The services, in the tests' organisation (``tests.support.organisation``): whoever
    signs in must be someone the staff directory knows, working with the child they open."""
    await seed_test_organisation(pool)
    return Services(
        client=dev_env.client, pool=pool, settings=settings, policy=load_policy(settings)
    )


@pytest_asyncio.fixture(loop_scope="session")
async def web(services: Services, worker: None) -> AsyncIterator[str]:
    """The app (API and web page) served on a free loopback port; its base URL."""
    app = create_app(services)
    app.state.web_refresh_seconds = TODAY_REFRESH_SECONDS
    async with running_api(app, "127.0.0.1", 0, setting="the e2e tests' port") as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def sign_in(
    browser: Browser, web: str, identity_provider: EmbeddedIdentityProvider
) -> AsyncIterator[SignIn]:
    """``await sign_in(role, subject)``: a page of a browser context of its own, signed in
    through the sign-in page and the provider's login page as the provider's user for
    ``subject`` in ``role`` (``javascript=False`` for a browser without script; ``viewport``
    for a window other than a desk's)."""
    contexts: list[BrowserContext] = []

    async def open_as(
        role: str, subject: str, *, javascript: bool = True, viewport: ViewportSize = DESK
    ) -> Page:
        context = await browser.new_context(
            base_url=web,
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport=viewport,
        )
        contexts.append(context)
        page = await context.new_page()
        user = f"{subject}-as-{role}"
        await identity_provider.add_user(user, {"staff_ref": subject, "role": role})
        await page.goto("/sign-in")
        await page.get_by_role("link", name="Sign in with your council account").click()
        await page.get_by_placeholder("sub").fill(user)
        await page.get_by_role("button", name="Authorize", exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Today")
        return page

    yield open_as
    for context in contexts:
        await context.close()
