from django.urls import path

from parties import views

app_name = "parties"

urlpatterns = [
    path("", views.party_list, name="list"),
    path("<slug:slug>/", views.party_detail, name="detail"),
    path("<slug:party_slug>/projects/<slug:slug>/", views.project_detail, name="project"),
]
