"""docker-compose.yml's Temporal services, checked statically as the rest of the file is (no
Docker engine runs here): the server reports workflows whose task keeps failing
(TemporalReportedProblems), which Today and /metrics read; the web UI signs staff in at the
council's identity provider, decodes through the API with their access token, and offers no
write action to anyone."""

from __future__ import annotations

from pathlib import PurePosixPath

import yaml

from safeside.not_running import REPORTED_PROBLEMS_SETTING
from starter.api.codec import router as codec_router
from tests.support.compose import (
    DOT_ENV,
    ROOT,
    compose_services,
    environment_of,
    interpolated,
    template_values,
)

TEMPORAL_WORKDIR = PurePosixPath("/etc/temporal")  # the server image's WORKDIR


def test_the_temporal_service_reads_a_dynamic_config_that_turns_the_reports_on() -> None:
    temporal = compose_services()["temporal"]
    named = TEMPORAL_WORKDIR / temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"]
    mounts = {
        PurePosixPath(inside): source
        for source, inside, *_ in (volume.split(":") for volume in temporal["volumes"])
    }
    assert named in mounts, f"{named} is not mounted in the temporal service"
    config = yaml.safe_load((ROOT / mounts[named]).read_text())
    threshold = config[REPORTED_PROBLEMS_SETTING][0]["value"]
    assert isinstance(threshold, int)
    assert threshold > 0


def test_the_web_ui_signs_in_at_the_api_s_provider_and_decodes_over_https_with_its_token() -> None:
    services = compose_services()
    dot_env = template_values(DOT_ENV, commented_too=False)
    ui = {
        name: interpolated(value, dot_env)
        for name, value in environment_of(services["temporal-ui"]).items()
    }
    api = {
        name: interpolated(value, dot_env)
        for name, value in environment_of(services["api"]).items()
    }
    # The browser calls the codec with the UI's access token; the UI sends it to https only.
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == f"{api['SAFESIDE_PUBLIC_URL']}{codec_router.prefix}"
    assert ui["TEMPORAL_CODEC_ENDPOINT"].startswith("https://")
    assert ui["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] == "true"
    origins = yaml.safe_load(api["SAFESIDE_CORS_ORIGINS"])
    assert origins == [dot_env["TEMPORAL_UI_PUBLIC_URL"]]
    # One provider: the tokens the UI gets are the ones the API checks.
    assert ui["TEMPORAL_AUTH_ENABLED"] == "true"
    assert ui["TEMPORAL_AUTH_PROVIDER_URL"] == api["SAFESIDE_OIDC_ISSUER"]
    assert ui["TEMPORAL_AUTH_ISSUER_URL"] == api["SAFESIDE_OIDC_ISSUER"]
    assert ui["TEMPORAL_AUTH_CALLBACK_URL"] == (
        f"{dot_env['TEMPORAL_UI_PUBLIC_URL']}/auth/sso/callback"
    )
    assert ui["TEMPORAL_AUTH_CLIENT_ID"] == dot_env["TEMPORAL_UI_OIDC_CLIENT_ID"]
    assert ui["TEMPORAL_AUTH_CLIENT_SECRET"] == dot_env["TEMPORAL_UI_OIDC_CLIENT_SECRET"]
    assert "openid" in ui["TEMPORAL_AUTH_SCOPES"].split(",")


def test_the_web_ui_offers_no_write_action_to_anyone() -> None:
    ui = environment_of(compose_services()["temporal-ui"])
    # The UI's server refuses every write when this is on; the rest hide the buttons.
    assert ui["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    for action in ("TERMINATE", "CANCEL", "SIGNAL", "UPDATE", "RESET"):
        assert ui[f"TEMPORAL_WORKFLOW_{action}_DISABLED"] == "true", action
    for name in ("BATCH_ACTIONS", "START_WORKFLOW", "ACTIVITY_COMMANDS"):
        assert ui[f"TEMPORAL_{name}_DISABLED"] == "true", name
