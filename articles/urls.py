from django.urls import path, register_converter

from articles import counters, preview, views


class UnicodeSlugConverter:
    """A slug in any script (tags are Cyrillic): letters, digits, _ and -, so no NUL or odd byte reaches a query."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "unicode_slug")

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.article_list, name="list"),
    path("corrections/", views.correction_list, name="corrections"),
    path("search/", views.search_page, name="search"),
    path("news/<slug:slug>/", views.article_detail, name="detail"),
    path("news/<slug:slug>/view/", counters.record_view, name="record-view"),
    path("news/<slug:slug>/share/", counters.record_share, name="record-share"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("preview/<str:token>/", preview.shared_preview, name="preview"),
    path("tags/<unicode_slug:slug>/", views.tag_detail, name="tag"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
]
