"""One settings model, read from environment variables prefixed ``SAFESIDE_``.

Nothing here connects to anything: settings are built in ``main()`` and passed down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFESIDE_", extra="ignore")

    temporal_address: str = Field(
        "localhost:7233",
        description="host:port of the Temporal frontend. Set it to use an existing server; "
        "left unset, `safeside dev` starts an embedded one on dev_temporal_port.",
    )
    temporal_namespace: str = "default"
    task_queue: str = "safeside-placements"
    database_url: str | None = Field(
        None,
        description="postgresql:// URL of the Safeside database. Left unset, `safeside dev` "
        "starts an embedded PostgreSQL under the data folder and the other commands use it.",
    )
    data_dir: Path = Field(Path(".safeside"), description="Where the embedded stack keeps data.")
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Encryption key source for Temporal payloads: a key given directly, or a file holding it.
    encryption_key: SecretStr | None = None
    encryption_key_file: Path | None = None

    policy_file: Path | None = Field(
        None,
        description="JSON file overriding the statutory clocks and escalation ladders "
        "(workflows.domain.Policy); unset, the defaults from the seed and the law apply.",
    )

    # Notifications: the channel for each recipient role ("log", "smtp" or "webhook"), as
    # JSON, e.g. '{"police": "webhook", "social_worker": "smtp"}'. Roles not named use the log.
    notify_channels: dict[str, Literal["log", "smtp", "webhook"]] = {}
    notify_email_to: dict[str, str] = Field({}, description="role -> e-mail address (JSON)")
    notify_webhook_urls: dict[str, str] = Field({}, description="role -> https URL (JSON)")
    notify_webhook_token: SecretStr | None = Field(
        None, description="Sent as a bearer token with every webhook."
    )
    notify_timeout_seconds: float = Field(10.0, gt=0)
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "safeside@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None

    # Ports of the embedded development stack (loopback only).
    dev_temporal_port: int = Field(7233, ge=1, le=65535)
    dev_ui_port: int = Field(8233, ge=1, le=65535)
    dev_postgres_port: int = Field(54329, ge=1, le=65535)
    dev_api_port: int = Field(8280, ge=1, le=65535)

    # The HTTP API as `safeside api` serves it. Loopback by default: it has no authentication
    # of its own yet, so exposing it is a decision to take behind a proxy that adds it.
    api_host: str = "127.0.0.1"
    api_port: int = Field(8280, ge=1, le=65535)

    # Who the command line records as acting, unless --actor-role / --actor-ref say otherwise.
    # A role name (workflows.domain.Role) and an opaque staff reference, never a name.
    actor_role: str | None = None
    actor_ref: str | None = None

    @property
    def temporal_address_is_explicit(self) -> bool:
        """True when the user named a Temporal server, so no embedded one is started."""
        return "temporal_address" in self.model_fields_set

    @property
    def database_dsn(self) -> str:
        """The configured database, else the one `safeside dev` runs on this machine."""
        if self.database_url is not None:
            return self.database_url
        return f"postgresql://postgres@127.0.0.1:{self.dev_postgres_port}/safeside"
