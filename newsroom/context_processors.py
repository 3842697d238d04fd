from django.conf import settings
from django.utils.functional import SimpleLazyObject

from newsroom.generation import current_generation
from newsroom.navigation import header_context


def site(request):
    """Expose the site's name, the content generation that template fragments are kept under (read only if
    a fragment asks), and on public HTML pages the header's navigation and reader's city."""
    context = {"site_name": settings.NEWSROOM_SITE_NAME, "generation": SimpleLazyObject(current_generation)}
    if not request.path.startswith(("/admin/", "/ckeditor/")) and not request.path.endswith((".xml", ".txt")):
        context.update(header_context(request))
    return context
