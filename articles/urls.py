from django.urls import path

from articles import counters, preview, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.article_list, name="list"),
    path("search/", views.search_page, name="search"),
    path("news/<slug:slug>/", views.article_detail, name="detail"),
    path("news/<slug:slug>/view/", counters.record_view, name="record-view"),
    path("news/<slug:slug>/share/", counters.record_share, name="record-share"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("preview/<str:token>/", preview.shared_preview, name="preview"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
]
