"""The domain's names in plain English (``leaflet_delivered`` -> "Leaflet delivered"), for
every door: the pages' filters (``starter.web.format``), and the files and figures the
services write (inspection evidence, the reg 45 review)."""

from __future__ import annotations

# Words for the domain's names where turning underscores into spaces is not enough.
_WORDS = {
    "lac_review": "looked after review",
    "nrm_referral": "NRM referral",
    "sw_visit": "social worker visit",
    "ukvi": "UK Visas and Immigration",
    "ukvi_relevant": "UKVI to be told",
    "nrm": "National Referral Mechanism",
    "iro": "IRO",
    "independent_reviewing_officer": "Independent Reviewing Officer",
    "away_without_authorisation": "away without permission",
    "away": "away without permission",
    "reg28": "reg 28",
    "MSA2015-s52": "MSA 2015 s.52",
    "missing_children_proforma": "Missing Children's Proforma",
    "reg40_police_involved": "reg 40 notice: police involved",
}


def words(name: object) -> str:
    """A domain name in plain English, capitalised: ``leaflet_delivered`` -> ``Leaflet
    delivered``; ``duty_manager`` -> ``Duty manager``."""
    said = plain_words(name)
    return said[:1].upper() + said[1:]


def plain_words(name: object) -> str:
    """A domain name in plain English, as within a sentence: ``sw_visit`` -> ``social worker
    visit``; ``nrm_referral`` -> ``NRM referral``."""
    text = str(name)
    return _WORDS.get(text, text.replace("_", " "))
