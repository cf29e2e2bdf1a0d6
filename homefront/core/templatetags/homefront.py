from __future__ import annotations

import uuid
from typing import Any

from django import template

from homefront import access
from homefront.households.validators import time_zone_names

register = template.Library()


@register.simple_tag
def time_zone_choices() -> list[str]:
    """The tz database names, for the time zone box's suggestions (no query)."""
    return sorted(time_zone_names())


@register.simple_tag
def new_uuid() -> str:
    """A fresh id for a form, so sending the same form twice stores one entry."""
    return str(uuid.uuid4())


@register.filter
def said(value: str) -> str:
    """A journal choice ("some", "needed care") in the reader's words."""
    from homefront.journal.models import said as choice_words

    return choice_words(value)


@register.filter
def editable_by(entry: Any, actor: access.Actor | None) -> bool:
    """Whether the journal entry's Edit link shows for this actor."""
    return actor is not None and access.may_edit_entry(actor, entry)


@register.filter
def tel(number: str, household: Any = None) -> str:
    """`<a href="tel:{{ phone|tel:actor.household }}">`: the number in E.164."""
    from homefront.core.places import e164

    return e164(number or "", getattr(household, "time_zone", "") or "")


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Set where the tag stands, not in a pushed scope: the rest of the page reads it.
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """`{% capture name %}…{% endcapture %}`: renders once and names the result, so
    base.html shows a page's title block in <title> and a page's h1 shows it as
    `{{ page_title }}` without the page writing its title twice."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% capture name %} takes one name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
