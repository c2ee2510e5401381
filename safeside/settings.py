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

    # Ports of the embedded development stack (loopback only).
    dev_temporal_port: int = Field(7233, ge=1, le=65535)
    dev_ui_port: int = Field(8233, ge=1, le=65535)
    dev_postgres_port: int = Field(54329, ge=1, le=65535)

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
