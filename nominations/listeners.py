"""Listeners to the dossiers' transitions, for the apps above this one (the API's webhooks).

A service of this app records each transition through ``services.tracking.record``; the ledger entry is written
and every registered listener is told, inside the transition's transaction, so what a listener writes commits or
rolls back with the transition. This app imports none of its listeners: an app registers its own from its
``AppConfig.ready``.
"""

from collections.abc import Callable

# A listener takes the ledger event and, by keyword, ``dossier``, ``stage_unit`` (or None) and ``data`` (the
# entry's data, a dict).
Listener = Callable[..., None]
_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def announce(event, *, dossier, stage_unit, data) -> None:
    for listener in _listeners:
        listener(event, dossier=dossier, stage_unit=stage_unit, data=data)
