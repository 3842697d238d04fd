"""An author's page for search engines: a ProfilePage whose main entity is the author."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.templatetags.newsroom_site import absolute_url, person

register = template.Library()


def json_ld(data):
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag(takes_context=True)
def profile_json_ld(context, profile, canonical):
    """A JSON-LD ProfilePage whose main entity is the author (a Person), for the author's page."""
    author = person(context, profile.name, profile.get_absolute_url())
    if profile.bio():
        author["description"] = profile.bio()
    if profile.photo:
        author["image"] = absolute_url(context, profile.photo_480_jpeg.url)
    return json_ld({"@context": "https://schema.org", "@type": "ProfilePage", "url": canonical, "mainEntity": author})
