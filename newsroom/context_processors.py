from django.conf import settings

from articles.front_page import current_banner
from newsroom.navigation import header_context


def site(request):
    """Expose the site's name and, on public HTML pages, the header's navigation, reader's city and «Срочно» banner."""
    context = {"site_name": settings.NEWSROOM_SITE_NAME}
    if not request.path.startswith(("/admin/", "/ckeditor/")) and not request.path.endswith((".xml", ".txt")):
        context.update(header_context(request), breaking_banner=current_banner())
    return context
