"""The one configuration every contract shares."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A message between a workflow and its activities or starters: frozen, so what was sent
    is what is recorded."""

    model_config = ConfigDict(frozen=True)
