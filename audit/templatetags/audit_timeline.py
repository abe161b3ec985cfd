"""``{% timeline_link dossier %}``: a link to an object's audit timeline, for other apps' pages.

The link text lives in the audit catalogue, so the page that shows it adds no message of its own.
"""

from django import template

from ..timeline import url_of

register = template.Library()


@register.inclusion_tag("audit/_timeline_link.html")
def timeline_link(instance):
    return {"url": url_of(instance)}
