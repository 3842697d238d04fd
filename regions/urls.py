from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("", views.region_list, name="list"),
    path("choose-city/", views.choose_city, name="choose-city"),
    path("<slug:slug>/", views.region_detail, name="detail"),
    path("<slug:region_slug>/<slug:slug>/", views.city_detail, name="city"),
]
