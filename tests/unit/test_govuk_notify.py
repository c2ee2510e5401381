"""GOV.UK Notify's settings, refused at the worker's start when they cannot work, and the fields a
template is filled from: the recipient's content and nothing more."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from activities.channels import ChannelConfigError, LogChannel, build_channels
from activities.govuk_notify import GovukNotifyChannel, personalisation
from activities.messages import NotificationContent, render_text
from safeside.settings import Settings
from tests.support.govuk_notify import API_KEY, templates

MOBILE = "07700 900123"


def notify_settings(**changes: Any) -> Settings:
    return Settings.model_validate(
        {
            "notify_channels": {"police": "govuk_notify", "social_worker": "govuk_notify"},
            "notify_email_to": {"police": "missing-persons@police.example"},
            "notify_sms_to": {"social_worker": MOBILE},
            "govuk_notify_send_as": {"social_worker": "sms"},
            "govuk_notify_api_key": API_KEY,
            "govuk_notify_email_templates": templates("email"),
            "govuk_notify_sms_templates": templates("sms"),
        }
        | changes
    )


def content(**changes: Any) -> NotificationContent:
    fields: dict[str, Any] = {
        "subject": "Safeside: child returned - placement PL-1",
        "placement_id": "PL-1",
        "case_reference": "CASE-1",
        "unit_id": None,
        "recipient": "social_worker",
        "purpose": "child_returned",
        "event_type": "child_returned",
        "event_version": 4,
        "occurred_at": datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        "risk_level": "high",
        "details": {},
    }
    return NotificationContent.model_validate(fields | changes)


def test_every_role_routed_to_notify_shares_one_channel_and_the_rest_keep_the_log() -> None:
    router = build_channels(notify_settings())

    police = router.for_recipient("police")
    assert isinstance(police, GovukNotifyChannel)
    assert router.for_recipient("social_worker") is police
    assert isinstance(router.for_recipient("ofsted"), LogChannel)


def test_a_role_sent_texts_without_a_mobile_number_is_refused_at_start() -> None:
    settings = notify_settings(notify_sms_to={})

    with pytest.raises(
        ChannelConfigError,
        match=r"SAFESIDE_NOTIFY_SMS_TO has no mobile number for roles \['social_worker'\]",
    ):
        build_channels(settings)


def test_a_role_emailed_through_notify_without_an_address_is_refused_at_start() -> None:
    with pytest.raises(ChannelConfigError, match=r"no address for roles \['police'\]"):
        build_channels(notify_settings(notify_email_to={}))


def test_a_purpose_without_a_template_is_refused_at_start_by_name() -> None:
    sms = templates("sms")
    del sms["missing_reported"], sms["escalation"]

    with pytest.raises(ChannelConfigError) as refused:
        build_channels(notify_settings(govuk_notify_sms_templates=sms))

    assert str(refused.value) == (
        "SAFESIDE_GOVUK_NOTIFY_SMS_TEMPLATES has no template for purposes "
        "['escalation', 'missing_reported']"
    )


def test_text_message_templates_are_not_needed_when_nobody_is_sent_texts() -> None:
    settings = notify_settings(
        notify_channels={"police": "govuk_notify"}, govuk_notify_sms_templates={}
    )

    assert isinstance(build_channels(settings).for_recipient("police"), GovukNotifyChannel)


def test_a_template_id_that_is_not_notifys_is_refused_at_start() -> None:
    email = templates("email") | {"placement_started": "welcome-letter"}

    with pytest.raises(ChannelConfigError, match=r"for purposes \['placement_started'\] are not"):
        build_channels(notify_settings(govuk_notify_email_templates=email))


def test_a_missing_or_malformed_api_key_is_refused_without_repeating_it() -> None:
    with pytest.raises(ChannelConfigError, match="SAFESIDE_GOVUK_NOTIFY_API_KEY is not set"):
        build_channels(notify_settings(govuk_notify_api_key=None))
    with pytest.raises(ChannelConfigError) as refused:
        build_channels(notify_settings(govuk_notify_api_key="live-key-s3cr3t"))
    assert "Notify's form" in str(refused.value)
    assert "s3cr3t" not in str(refused.value)


def test_notify_is_reached_over_https_unless_it_is_on_this_machine() -> None:
    with pytest.raises(ChannelConfigError, match="BASE_URL must be an https:// URL"):
        build_channels(notify_settings(govuk_notify_base_url="http://notify.example"))
    build_channels(notify_settings(govuk_notify_base_url="http://127.0.0.1:9"))


def test_notify_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFESIDE_NOTIFY_CHANNELS", '{"police": "govuk_notify"}')
    monkeypatch.setenv("SAFESIDE_NOTIFY_SMS_TO", '{"police": "07700 900456"}')
    monkeypatch.setenv("SAFESIDE_GOVUK_NOTIFY_SEND_AS", '{"police": "sms"}')
    monkeypatch.setenv("SAFESIDE_GOVUK_NOTIFY_API_KEY", API_KEY)
    monkeypatch.setenv("SAFESIDE_GOVUK_NOTIFY_SMS_TEMPLATES", json.dumps(templates("sms")))

    assert isinstance(build_channels(Settings()).for_recipient("police"), GovukNotifyChannel)


def test_a_template_is_filled_with_the_recipients_content_as_text() -> None:
    message = content(
        details={
            "episode_id": "EP-1",
            "returned_at": "2026-03-02T15:00:00Z",
            "ukvi_relevant": True,
            "risk_factors": ["county_lines", "debt_bondage"],
            "previous_episodes": 2,
            "known_whereabouts_reference": None,
            "concerns": [{"category": "loitering", "placement_id": "PL-1"}],
        }
    )

    fields = personalisation(message)

    assert fields == {
        "subject": "Safeside: child returned - placement PL-1",
        "placement_id": "PL-1",
        "case_reference": "CASE-1",
        "unit_id": "",  # withheld from this recipient: empty, never absent
        "recipient": "social_worker",
        "purpose": "child_returned",
        "event_type": "child_returned",
        "event_version": "4",
        "occurred_at": "2026-03-02T15:00:00Z",
        "risk_level": "high",
        "details_episode_id": "EP-1",
        "details_returned_at": "2026-03-02T15:00:00Z",
        "details_ukvi_relevant": "yes",
        "details_risk_factors": "county_lines, debt_bondage",
        "details_previous_episodes": "2",
        "details_known_whereabouts_reference": "",
        "details_concerns": '[{"category": "loitering", "placement_id": "PL-1"}]',
        "body": render_text(message),
    }


def test_a_detail_named_like_a_field_keeps_both() -> None:
    failed = content(
        purpose="notification_failed",
        details={"recipient": "police", "purpose": "missing_children_proforma"},
    )

    fields = personalisation(failed)

    assert (fields["purpose"], fields["details_purpose"]) == (
        "notification_failed",
        "missing_children_proforma",
    )
    assert (fields["recipient"], fields["details_recipient"]) == ("social_worker", "police")
