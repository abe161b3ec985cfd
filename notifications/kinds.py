"""Labels of the event kinds people are notified about, registered by the apps that send them.

Notifications sit below the domain apps and import none of them, so an app that calls ``notify`` with its own
event vocabulary registers the labels here (from its ``AppConfig.ready``), for the preferences form and the
inbox. An unregistered event is shown by its name.
"""

from collections.abc import Iterable

from django.db.models import Choices

_labels: dict[str, str] = {}


def register(choices: Iterable[Choices]) -> None:
    """Remember the translated label of every member of a ``TextChoices`` vocabulary."""
    for member in choices:
        _labels[str(member.value)] = member.label


def label(event: str) -> str:
    """Return the translated label of an event kind, or its name when nobody registered one."""
    return str(_labels.get(event, event))
