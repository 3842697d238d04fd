"""{% kept "name" part… %}…{% endkept %}: a fragment kept per content generation (newsroom/caching.py)."""

from django import template
from django.utils.safestring import mark_safe

from newsroom.caching import kept

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist, self.name, self.parts = nodelist, name, parts

    def render(self, context):
        parts = [part.resolve(context) for part in self.parts]
        fragment = kept(f"fragment:{self.name.resolve(context)}", *parts, compute=lambda: self.nodelist.render(context))
        return mark_safe(fragment)  # noqa: S308  (rendered by the template engine, escaped as it rendered)


@register.tag("kept")
def do_kept(parser, token):
    """Keep the enclosed fragment under its name and parts, e.g. {% kept "card" article.pk heading_level %}.

    The content generation and the language are part of every key: name only what else the fragment depends on.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'kept' needs a name: {% kept \"name\" part… %}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])
