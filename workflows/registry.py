"""The workflow classes a worker registers."""

from __future__ import annotations

from workflows.placement import PlacementWorkflow

WORKFLOWS: list[type] = [PlacementWorkflow]
