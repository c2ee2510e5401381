"""The compose deployment's Temporal server reports workflows whose task keeps failing
(TemporalReportedProblems), which Today and /metrics read: checked statically, as the rest of
docker-compose.yml is (no Docker engine runs here)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml

from safeside.not_running import REPORTED_PROBLEMS_SETTING

ROOT = Path(__file__).resolve().parents[2]
TEMPORAL_WORKDIR = PurePosixPath("/etc/temporal")  # the server image's WORKDIR


def test_the_temporal_service_reads_a_dynamic_config_that_turns_the_reports_on() -> None:
    temporal = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["temporal"]
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
