"""Where a person may be sent back to after signing in: a page of this site, never another."""

from __future__ import annotations

import pytest

from starter.web.session import safe_return_to


@pytest.mark.parametrize(
    "asked", ["/", "/web/placements", "/web/placements/PL-0001?tab=notices", "/web/today"]
)
def test_a_page_of_this_site_is_kept(asked: str) -> None:
    assert safe_return_to(asked) == asked


@pytest.mark.parametrize(
    "asked",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "/web\\..\\x",
        "javascript:alert(1)",
        "web/placements",
        "/web/placements\r\nSet-Cookie: x=1",
        "/sign-in/callback?code=x",
        "/" + "a" * 3000,
    ],
)
def test_anything_else_goes_to_today(asked: str | None) -> None:
    assert safe_return_to(asked) == "/"
