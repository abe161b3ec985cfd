"""What the auditor's search can filter on beyond the entry's own fields: award type, campaign and outcome.

``audit`` imports no domain app, so the app that owns a subject model registers, from its ``AppConfig.ready``,
a provider that names the subject's award type and campaign (``register``), and the choices the search form
offers for each (``register_choices``). ``record`` stores the provider's answer in the entry's indexed
``award_type`` and ``campaign`` columns, which the hash covers when they are set, and copies the nominee outcomes
the entry records (``data["nominees"]``, nominee id to outcome) into the ``outcomes`` column, which verification
checks against the hashed data.
"""

from collections.abc import Callable, Iterable

from django.db import models

AWARD_TYPE = "award_type"
CAMPAIGN = "campaign"
OUTCOME = "outcome"
SEPARATOR = ","

Provider = Callable[[models.Model], dict[str, str]]
Choices = Callable[[], Iterable[tuple[str, str]]]

_providers: dict[type[models.Model], Provider] = {}
_choices: dict[str, Choices] = {}


def register(model: type[models.Model], provider: Provider) -> None:
    """``provider(subject)`` returns ``{"award_type": id, "campaign": id}`` (strings, "" for none) without a query."""
    _providers[model] = provider


def register_choices(facet: str, choices: Choices) -> None:
    """``choices()`` returns the (stored value, label) pairs the search offers for ``facet``."""
    _choices[facet] = choices


def choices_of(facet: str) -> list[tuple[str, str]]:
    provider = _choices.get(facet)
    return [(str(value), str(label)) for value, label in provider()] if provider else []


def of_subject(subject) -> dict[str, str]:
    """The facets of a subject, with empty values left out."""
    provider = _providers.get(type(subject)) if subject is not None else None
    return {key: value for key, value in provider(subject).items() if value} if provider else {}


def outcomes_of(data: dict) -> str:
    """The distinct nominee outcomes an entry's data records, sorted and joined: the ``outcomes`` column."""
    nominees = data.get("nominees")
    return SEPARATOR.join(sorted({str(value) for value in nominees.values()})) if isinstance(nominees, dict) else ""


def outcome_condition(outcome: str) -> models.Q:
    """Entries whose joined outcomes include ``outcome`` (exact, not a substring of another outcome)."""
    return (
        models.Q(outcomes=outcome)
        | models.Q(outcomes__startswith=f"{outcome}{SEPARATOR}")
        | models.Q(outcomes__endswith=f"{SEPARATOR}{outcome}")
        | models.Q(outcomes__contains=f"{SEPARATOR}{outcome}{SEPARATOR}")
    )
