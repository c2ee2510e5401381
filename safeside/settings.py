"""One settings model, read from environment variables prefixed ``SAFESIDE_``.

Nothing here connects to anything: settings are built in ``main()`` and passed down.
"""

from __future__ import annotations

from datetime import timedelta
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

    # The keyring that encrypts Temporal payloads (safeside.keyring): given directly as JSON,
    # or a file holding it; left unset, `encryption-keys.json` in the data folder.
    encryption_key: SecretStr | None = Field(
        None, description="The keyring as JSON (safeside.keyring), e.g. from a secret store."
    )
    encryption_key_file: Path | None = Field(
        None, description="A keyring file; default: encryption-keys.json in the data folder."
    )

    # Service accounts and scripts: HS256 bearer tokens from `safeside token issue`, for the
    # API and the codec endpoint (safeside.tokens). People sign in through the identity
    # provider below instead.
    auth_token_secret: SecretStr | None = Field(
        None, description="HS256 signing secret (32 characters or more)."
    )
    auth_token_secret_file: Path | None = Field(
        None, description="A file holding the secret; default: token-secret in the data folder."
    )
    auth_issuer: str = Field("safeside", description="Required `iss` claim of every token.")
    auth_audience: str = Field("safeside-api", description="Required `aud` claim.")
    auth_role_claim: str = Field("role", description="The claim holding the staff role.")
    auth_max_token_hours: float = Field(
        12,
        gt=0,
        le=24,
        description="The longest a token may live, `iat` to `exp` (a staff shift; at most 24): "
        "longer ones are refused, and `safeside token issue` will not make them.",
    )
    # The council's identity provider (OpenID Connect; safeside.identity_provider): the web
    # page signs people in through it (authorization code flow with PKCE), and the API accepts
    # its RS256/ES256 access tokens, checked against its published keys. Unset: nobody signs
    # in to the web page, and the API takes only the HS256 tokens above.
    oidc_issuer: str | None = Field(
        None,
        description="The provider's issuer URL; its discovery document is read from "
        "<issuer>/.well-known/openid-configuration.",
    )
    oidc_client_id: str = Field("safeside", description="This service's client id there.")
    oidc_client_secret: SecretStr | None = Field(None, description="Its client secret.")
    oidc_scopes: str = Field("openid", description="Scopes asked for at sign-in.")
    oidc_staff_claim: str = Field(
        "sub", description="The claim holding the opaque staff reference (never a name)."
    )
    oidc_role_claim: str = Field("role", description="The claim holding the staff role.")
    oidc_api_audience: str = Field(
        "safeside-api", description="Required `aud` of access tokens sent to the API."
    )
    oidc_clock_skew_seconds: int = Field(
        60, ge=0, le=300, description="How far the provider's clock may differ from ours."
    )
    public_url: str | None = Field(
        None,
        description="The address staff open the web page at (https://…), for the provider's "
        "redirect back; unset: the address each request came in on.",
    )
    # Web sessions (starter.services.web_sessions), kept in PostgreSQL.
    web_session_idle_minutes: int = Field(30, ge=1, le=720)
    web_session_absolute_hours: float = Field(12, gt=0, le=24)
    # Reads through a PostgreSQL outage (starter.services.remembered): what PostgreSQL last
    # said of a caller (their standing, session, token) is used for this long, never longer.
    outage_grace_minutes: float = Field(
        30,
        ge=0,
        le=720,
        description="How long the API uses what PostgreSQL last said of a caller while it does "
        "not answer; 0: every read waits for PostgreSQL.",
    )
    spool_dir: Path | None = Field(
        None,
        description="Where the API keeps the access log's entries while PostgreSQL does not "
        "answer (access-log-spool.sqlite): a persistent volume of its own per API process; "
        "unset, the data folder.",
    )
    # Browser origins allowed to call the API and the codec endpoint (the Temporal web UI);
    # unset: the dev stack's UI on dev_ui_port.
    cors_origins: list[str] | None = None

    policy_file: Path | None = Field(
        None,
        description="JSON file overriding the statutory clocks and escalation ladders "
        "(workflows.domain.Policy); unset, the defaults from the seed and the law apply.",
    )

    # Notifications: the channel for each recipient role ("log", "smtp", "webhook" or
    # "govuk_notify"), as JSON, e.g. '{"police": "webhook", "social_worker": "smtp"}'. Roles not
    # named use the log.
    notify_channels: dict[str, Literal["log", "smtp", "webhook", "govuk_notify"]] = {}
    notify_email_to: dict[str, str] = Field({}, description="role -> e-mail address (JSON)")
    notify_sms_to: dict[str, str] = Field(
        {}, description="role -> mobile number (JSON), for GOV.UK Notify's text messages"
    )
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
    # GOV.UK Notify (activities.govuk_notify), for the roles whose channel is "govuk_notify".
    govuk_notify_api_key: SecretStr | None = Field(
        None, description="The service's API key, <key name>-<service id>-<secret>."
    )
    govuk_notify_base_url: str = Field(
        "https://api.notifications.service.gov.uk", description="Notify's API (tests: a local one)."
    )
    govuk_notify_send_as: dict[str, Literal["email", "sms"]] = Field(
        {}, description="role -> email or sms (JSON); roles not named are e-mailed."
    )
    govuk_notify_email_templates: dict[str, str] = Field(
        {}, description="purpose -> Notify e-mail template id (JSON), for every purpose."
    )
    govuk_notify_sms_templates: dict[str, str] = Field(
        {}, description="purpose -> Notify text message template id (JSON), for every purpose."
    )

    # Ports of the embedded development stack (loopback only).
    dev_temporal_port: int = Field(7233, ge=1, le=65535)
    dev_ui_port: int = Field(8233, ge=1, le=65535)
    dev_postgres_port: int = Field(54329, ge=1, le=65535)
    dev_api_port: int = Field(8280, ge=1, le=65535)
    # The development identity provider (oidc-provider-mock), unless oidc_issuer names one.
    dev_identity_provider_port: int = Field(9400, ge=1, le=65535)

    # The HTTP API as `safeside api` serves it. Loopback by default: it checks bearer tokens,
    # but exposing it is still a decision to take behind a TLS proxy.
    api_host: str = "127.0.0.1"
    api_port: int = Field(8280, ge=1, le=65535)

    # Operations (docs/operations.md): metrics, health endpoints and worker tuning. Everything
    # here is off or the SDK's default unless set.
    temporal_metrics_address: str | None = Field(
        None,
        description="host:port where the Temporal SDK serves its own Prometheus metrics "
        "(workers, polls, task latencies); unset: not served.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="When set, GET /metrics answers only `Authorization: Bearer <this>`; unset, "
        "it is public (counts only, no ids).",
    )
    worker_health_host: str = Field(
        "127.0.0.1", description="Interface of the worker's health and metrics server."
    )
    worker_health_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="Port of the worker's /health/live, /health/ready and /metrics; unset: off.",
    )
    worker_max_concurrent_activities: int | None = Field(
        None, ge=1, description="Activities one worker runs at once; unset: the SDK's (100)."
    )
    worker_max_concurrent_workflow_tasks: int | None = Field(
        None, ge=1, description="Workflow tasks one worker runs at once; unset: the SDK's (100)."
    )
    worker_max_cached_workflows: int = Field(
        2000,
        ge=0,
        description="Workflows one worker keeps in memory between their tasks, the least "
        "recently used evicted first; keep it above the placements and units a worker holds "
        "open (docs/operations.md).",
    )

    # Who is at the keyboard: the command line reads and records about children as the person
    # this bearer token names, checked like the API's (safeside.tokens). Only a setting, never
    # an option: an option would leave the token in the shell's history and the process list.
    token: SecretStr | None = Field(
        None,
        description="The signed-in person's bearer token, for the command line's commands "
        "that read or record about a child or the organisation.",
    )

    @property
    def temporal_address_is_explicit(self) -> bool:
        """True when the user named a Temporal server, so no embedded one is started."""
        return "temporal_address" in self.model_fields_set

    @property
    def allowed_origins(self) -> list[str]:
        if self.cors_origins is not None:
            return self.cors_origins
        return [f"http://{host}:{self.dev_ui_port}" for host in ("127.0.0.1", "localhost")]

    @property
    def outage_grace(self) -> timedelta:
        return timedelta(minutes=self.outage_grace_minutes)

    @property
    def access_log_spool_file(self) -> Path:
        return (self.spool_dir or self.data_dir) / "access-log-spool.sqlite"

    @property
    def database_dsn(self) -> str:
        """The configured database, else the one `safeside dev` runs on this machine."""
        if self.database_url is not None:
            return self.database_url
        return f"postgresql://postgres@127.0.0.1:{self.dev_postgres_port}/safeside"
