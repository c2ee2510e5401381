"""The child's date of birth at each door of the start (issue 22): the web form (typed in UK
order, shown on "Check your answers", a date that cannot be a child's refused at its field and
never repeated back), the command line's options and the API's body; each start records it, with
whether the age is disputed and the age assessment."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from starter.services.connection import Services
from starter.services.placements import current_state
from tests.integration.starter.test_web_forms_say_everything import (
    field_message,
    hidden_inputs,
    post,
)
from tests.support.placements import new_placement_id
from tests.support.security import token_for
from tests.support.sessions import OpenSession
from tests.support.start_facts import start_body, start_form
from tests.support.starter import Cli, eventually
from workflows.domain.common import Role
from workflows.domain.events import AgeAssessment

pytestmark = pytest.mark.usefixtures("worker")

BORN = {"date_of_birth-day": "23", "date_of_birth-month": "7", "date_of_birth-year": "2011"}


async def test_the_web_form_takes_the_date_of_birth_and_checks_it_before_the_start(
    web: httpx.AsyncClient, manager: OpenSession, services: Services
) -> None:
    placement_id = new_placement_id()
    form = start_form(placement_id) | BORN | {"age_disputed": "yes", "age_assessment": "pending"}
    check = await post(web, manager, "/web/start-placement", form)
    assert check.status_code == 200, check.text
    assert 'id="answer-date_of_birth">23 July 2011' in check.text
    assert 'id="answer-age_disputed">Yes' in check.text
    assert 'id="answer-age_assessment">Pending' in check.text
    started = await post(web, manager, "/web/start-placement/confirm", hidden_inputs(check.text))
    assert started.status_code == 303, started.text

    async def recorded() -> bool:
        facts = (await current_state(services.client, placement_id)).facts
        return facts is not None and facts.date_of_birth is not None

    await eventually(recorded, within=10)
    facts = (await current_state(services.client, placement_id)).facts
    assert facts is not None
    assert facts.date_of_birth == date(2011, 7, 23)
    assert (facts.age_disputed, facts.age_assessment) == (True, AgeAssessment.pending)


async def test_a_start_without_a_date_of_birth_says_not_given_and_starts(
    web: httpx.AsyncClient, manager: OpenSession
) -> None:
    check = await post(web, manager, "/web/start-placement", start_form(new_placement_id()))
    assert check.status_code == 200, check.text
    assert 'id="answer-date_of_birth">Not given' in check.text
    assert 'id="answer-age_assessment">Not needed' in check.text


async def test_a_date_of_birth_in_the_future_is_refused_at_its_field_on_the_form(
    web: httpx.AsyncClient, manager: OpenSession
) -> None:
    form = start_form(new_placement_id()) | BORN | {"date_of_birth-year": "2099"}
    refused = await post(web, manager, "/web/start-placement", form)
    assert refused.status_code == 422
    message = field_message(refused.text, "start-placement-date_of_birth")
    assert message == "The date of birth is in the future: check the date of birth"
    assert "2099" not in message


async def test_the_command_line_and_the_api_take_the_date_of_birth(
    safeside: Cli, api: httpx.AsyncClient, services: Services
) -> None:
    by_cli, by_api = new_placement_id(), new_placement_id()
    facts = start_body(by_cli)
    options = [f"--{name.replace('_', '-')}={value}" for name, value in facts.items()]
    env = {"SAFESIDE_TOKEN": token_for(Role.registered_manager, "staff-01")}
    result = await safeside(
        "placement", "start", *options, "--date-of-birth", "2011-07-23",
        "--age-disputed", "true", "--age-assessment", "in_progress", env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answer = await api.post("/placements", json=start_body(by_api, date_of_birth="2011-07-23"))
    assert answer.status_code == 201, answer.text
    cli_facts = (await current_state(services.client, by_cli)).facts
    api_facts = (await current_state(services.client, by_api)).facts
    assert cli_facts is not None
    assert api_facts is not None
    assert cli_facts.age_assessment is AgeAssessment.in_progress
    assert cli_facts.date_of_birth == api_facts.date_of_birth
    refused = await safeside(
        "placement", "start", *options, "--date-of-birth", "1990-01-01", env=env
    )
    assert refused.exit_code == 2
    assert "--date-of-birth: the date of birth is more than 25 years ago" in refused.output
    assert "1990" not in refused.output
