from django.conf import settings

from newsroom.navigation import header_context


def site(request):
    """Expose the site's name and, on public HTML pages, the header's navigation and reader's city."""
    context = {"site_name": settings.NEWSROOM_SITE_NAME}
    if not request.path.startswith(("/admin/", "/ckeditor/")) and not request.path.endswith((".xml", ".txt")):
        context.update(header_context(request))
    return context
