from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """Return the signed-in user's unread count (one query), for the badge."""
    request = context.get("request")
    return selectors.unread_count(user=getattr(request, "user", None))
