"""How a registration reads, for the applicant and for staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator
from storage.models import FocalPoint


def describe(t: Translator, data: Mapping[str, Any] | FocalPoint) -> Markup:
    values = (
        data
        if not isinstance(data, FocalPoint)
        else {
            "name": data.full_name,
            "country": data.country,
            "city": data.city,
            "position": data.position,
            "email": data.email,
        }
    )
    country = COUNTRIES_BY_CODE.get(values.get("country") or "")
    city = values.get("city")
    return t._(
        "Name: {name}\nCountry: {country}\nCity or governorate: {city}\n"
        "Position: {position}\nEmail: {email}",
        name=values.get("name") or "—",
        country=t.label(country.name) if country else "—",
        city=t.label(city) if city else "—",
        position=values.get("position") or "—",
        email=values.get("email") or t.label("not given"),
    )
