from pathlib import Path

import pytest

from safeside.settings import Settings


def test_defaults_point_at_the_embedded_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SAFESIDE_TEMPORAL_ADDRESS", "SAFESIDE_DATABASE_URL", "SAFESIDE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.data_dir == Path(".safeside")
    assert not settings.temporal_address_is_explicit
    assert settings.database_url is None
    assert settings.database_dsn == "postgresql://postgres@127.0.0.1:54329/safeside"


def test_settings_are_read_from_safeside_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFESIDE_TEMPORAL_ADDRESS", "temporal.internal:7233")
    monkeypatch.setenv("SAFESIDE_DATABASE_URL", "postgresql://app@db/safeside")
    monkeypatch.setenv("SAFESIDE_TASK_QUEUE", "unit-7")
    monkeypatch.setenv("SAFESIDE_LOG_FORMAT", "json")
    settings = Settings()
    assert settings.temporal_address == "temporal.internal:7233"
    assert settings.temporal_address_is_explicit
    assert settings.database_dsn == "postgresql://app@db/safeside"
    assert settings.task_queue == "unit-7"
    assert settings.log_format == "json"


def test_a_bad_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFESIDE_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings()


def test_the_api_listens_on_loopback_and_nobody_is_signed_in_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("SAFESIDE_API_HOST", "SAFESIDE_API_PORT", "SAFESIDE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.api_host, settings.api_port, settings.dev_api_port) == (
        "127.0.0.1",
        8280,
        8280,
    )
    assert settings.token is None
