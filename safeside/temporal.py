"""The one way to reach Temporal: a client with the project's data converter.

Payloads are pydantic models (``temporalio.contrib.pydantic``, its type adapters shared by the
whole process: ``safeside.payloads``), encrypted by the payload codec
(``safeside.codec``) with the keyring the settings name; failure messages and stack traces are
moved into encoded attributes, so they are encrypted too. Every client, worker and test
environment gets its converter from ``data_converter``.

With ``temporal_metrics_address`` set, a worker process (``safeside worker``)
serves the SDK's own metrics (polls, task slots, latencies) for Prometheus at that address,
through the process's Temporal runtime (``sdk_runtime``). One-off commands never bind it, so
they can run beside a worker that does.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from safeside.codec import EncryptionCodec
from safeside.errors import SafesideError, ServiceUnavailable
from safeside.keyring import load_keyring
from safeside.payloads import SafesidePayloadConverter
from safeside.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic payloads, encrypted with the settings' keyring (KeyringError if there is none)."""
    return DataConverter(
        payload_converter_class=SafesidePayloadConverter,
        payload_codec=EncryptionCodec(load_keyring(settings)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


class MetricsAddressError(SafesideError):
    pass


# The runtime serving the SDK's metrics binds its address for the life of the process, so there
# is at most one per address, made on first use and shared by every client of the process.
_runtimes: dict[str, Runtime] = {}


def sdk_runtime(settings: Settings) -> Runtime | None:
    """The Temporal runtime exporting the SDK's metrics for Prometheus, or None (the SDK's
    default runtime, no metrics served) when ``temporal_metrics_address`` is unset."""
    address = settings.temporal_metrics_address
    if address is None:
        return None
    if address not in _runtimes:
        try:
            _runtimes[address] = Runtime(
                telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address))
            )
        except ValueError as exc:  # the SDK says: a malformed or busy address
            raise MetricsAddressError(
                f"the Temporal SDK metrics cannot be served at {address} ({exc}): choose "
                "another host:port with SAFESIDE_TEMPORAL_METRICS_ADDRESS, or unset it"
            ) from None
    return _runtimes[address]


async def connect(
    settings: Settings, *, address: str | None = None, serve_sdk_metrics: bool = False
) -> Client:
    """Connect to the Temporal frontend named by the settings (or ``address``); with
    ``serve_sdk_metrics``, through the runtime that serves the SDK's metrics, if configured.

    Raises ``ServiceUnavailable`` with a message saying which server and how to start it,
    ``KeyringError`` when no encryption keyring is configured, and ``MetricsAddressError``
    when the metrics address cannot be bound.
    """
    converter = data_converter(settings)
    runtime = sdk_runtime(settings) if serve_sdk_metrics else None
    target = address or settings.temporal_address
    try:
        return await Client.connect(
            target,
            namespace=settings.temporal_namespace,
            data_converter=converter,
            runtime=runtime,
        )
    except RuntimeError as exc:  # the SDK's core reports connection failures as RuntimeError
        raise ServiceUnavailable(
            f"cannot reach the Temporal server at {target}: start the stack with `make run` "
            "or set SAFESIDE_TEMPORAL_ADDRESS"
        ) from exc
