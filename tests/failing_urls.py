"""The site's URLs and one view that fails, for tests of what an unhandled exception leaves behind."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from newsroom.urls import handler500
from newsroom.urls import urlpatterns as site_urlpatterns


@csrf_exempt  # a form post from outside the site, as an error report would carry it
def fail(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("fail/", fail, name="fail"), *site_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
