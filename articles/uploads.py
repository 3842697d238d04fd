"""The rich-text editor's image upload and browser: both are the photo library (articles.models.Photo)."""

import json
import posixpath
import re

from ckeditor_uploader.forms import SearchForm
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escapejs
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from articles.models import Photo

EDIT_PERMISSION = "articles.change_article"
# The editor protocol echoes this number into a script: ASCII digits only ("²".isdigit() is true too).
FUNC_NUM = re.compile(r"[0-9]{1,9}")
# The browser shows the newest photos first; older ones are found by the search.
BROWSED = 200


def script_string(text):
    """`text` as a JavaScript string literal that cannot close the script element it is written into."""
    return json.dumps(text).replace("<", "\\u003c")


class LibraryImageUploadView(View):
    """An image dropped or uploaded in the editor enters the library through the one checked path."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        if not request.user.has_perm(EDIT_PERMISSION):
            raise PermissionDenied
        uploaded = request.FILES.get("upload")
        if uploaded is None:
            return self.answer(request, error="Файл не получен.")
        try:
            photo = Photo.objects.create_from_upload(uploaded, request.user)
        except ValidationError as error:
            return self.answer(request, error=" ".join(error.messages))
        return self.answer(request, photo=photo)

    @staticmethod
    def answer(request, photo=None, error=""):
        """Answer in the form the editor asked for: JSON for drag-and-drop, a callback for the dialog."""
        func_num = request.GET.get("CKEditorFuncNum")
        url = photo.file.url if photo else ""
        if func_num:
            number = int(func_num) if FUNC_NUM.fullmatch(func_num) else 0
            reply = f"'', {script_string(error)}" if error else f"'{escapejs(url)}'"
            return HttpResponse(f"<script>window.parent.CKEDITOR.tools.callFunction({number}, {reply});</script>")
        if error:
            return JsonResponse({"uploaded": 0, "error": {"message": error}})
        return JsonResponse({"uploaded": "1", "url": url, "fileName": posixpath.basename(photo.file.name)})


# As upstream: CKEditor's upload dialog posts without a CSRF token; the session cookie is SameSite=Lax,
# so a cross-site form cannot carry it.
upload_image = admin.site.admin_view(csrf_exempt(LibraryImageUploadView.as_view()))


def browse_view(request):
    """List the library photos a person may reuse (their own; a moderator's or superuser's, everyone's), searchable
    by alt text, caption, credit and tags."""
    if not request.user.has_perm(EDIT_PERMISSION):
        raise PermissionDenied
    form = SearchForm(request.POST or None)
    photos = Photo.objects.visible_to(request.user)
    if form.is_valid():
        photos = photos.search(form.cleaned_data["q"])
    files = [
        {
            "thumb": photo.rendition_480_jpeg.url,
            "src": photo.file.url,
            "is_image": True,
            "visible_filename": str(photo)[:40],
        }
        for photo in photos.order_by("-uploaded_at", "-id")[:BROWSED]
    ]
    return render(request, "ckeditor/browse.html", {"files": files, "form": form})


# The admin site decides who is staff and signed in with the two-factor policy met.
browse = admin.site.admin_view(browse_view)
