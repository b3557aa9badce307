"""The inbound activity as botbuilder's `Activity`, built the way msrest builds it, for less.

msrest's `Model.deserialize` is generic: for every attribute of every model it runs its key
extractors, works out the attribute's type afresh and collects the keys it does not know, which
cost about 100 us for a Teams message, a few percent of a turn. `read_activity` walks the same
attribute maps (botbuilder's schema, nothing copied) with a plan made once per model, and hands
every value that is not plainly of its declared kind (a date, an `object`, a number where text is
expected, anything malformed) to msrest's own `deserialize_data`, so the result is msrest's:
tests/test_inbound.py compares the two on generated activities. Teams' own timestamps are read
here too (`_teams_time`), as msrest reads them, for a tenth of what its generic path costs.
"""

from __future__ import annotations

import re
from datetime import datetime

import isodate
from botbuilder.schema import Activity
from msrest.serialization import Deserializer

_MODELS = Activity._infer_class_models()
_MSREST = Deserializer(_MODELS)


class _Plan:
    """A model's attributes as (attribute, JSON key, declared type), and the keys it knows; what
    msrest's Deserializer works out on every call."""

    def __init__(self, model: type):
        self.model = model
        self.fields = [(attribute, description["key"], description["type"])
                       for attribute, description in model._attribute_map.items()]
        self.known = frozenset(key for _attribute, key, _kind in self.fields)
        if any(key == "" or "." in key for key in self.known) or getattr(model, "_subtype_map", None) or any(
                rule.get("readonly") or rule.get("constant") for rule in getattr(model, "_validation", {}).values()):
            raise TypeError(f"{model.__name__} needs msrest's full deserialiser")


_PLANS: dict[str, _Plan] = {}


def _plan(kind: str) -> _Plan | None:
    """The plan for a model's type name, or None when msrest must build it (not a plain model)."""
    plan = _PLANS.get(kind)
    if plan is None and kind not in _PLANS:
        model = _MODELS.get(kind)
        try:
            plan = _Plan(model) if isinstance(model, type) and hasattr(model, "_attribute_map") else None
        except TypeError:
            plan = None
        _PLANS[kind] = plan
    return plan


def read_activity(body: dict) -> Activity:
    """`Activity().deserialize(body)`, the same objects and the same errors."""
    return _value(body, "Activity")


# A timestamp as Teams writes it: UTC with seven decimals ("2026-12-01T09:00:00.1234567Z"), or the
# sender's local time with its offset. Other years and shapes are msrest's to read, or refuse.
_TEAMS_TIME = re.compile(r"((?:19|20)\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?(Z|[+-]\d\d:\d\d)\Z")


def _teams_time(value: str) -> datetime | None:
    """msrest's deserialize_iso for Teams' own timestamps: the decimals cut to six, the time zone
    isodate's (as isodate.parse_datetime gives it); None for anything else, or a date that does not
    exist, which msrest then reads or refuses itself."""
    match = _TEAMS_TIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, decimals, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                          int((decimals or "")[:6].ljust(6, "0")), isodate.parse_tzinfo(zone))
        moment.utcoffset()  # an offset of a day or more ("+99:99") is refused only when asked for
    except ValueError:
        return None
    return moment


def _value(value, kind: str):
    if value is None:
        return None
    value_type = type(value)
    if (kind == "str" and value_type is str) or (kind == "bool" and value_type is bool):
        return value
    if kind == "iso-8601" and value_type is str:
        read = _teams_time(value)
        if read is not None:
            return read
    if value_type is list and kind[0] == "[" and kind[-1] == "]" and _plan(kind[1:-1]) is not None:
        return [_value(item, kind[1:-1]) for item in value]
    plan = _plan(kind) if value_type is dict else None
    if plan is None:
        return _MSREST.deserialize_data(value, kind)
    model = plan.model(**{attribute: _value(value.get(key), field_kind) for attribute, key, field_kind in plan.fields})
    unknown = value.keys() - plan.known
    if unknown:  # kept as msrest keeps them (a Mention's fields on an Entity, Teams' own additions)
        model.additional_properties = {key: value[key] for key in unknown}
    return model
