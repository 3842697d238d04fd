"""The rich-text editor's image upload and browser, through the same checks as cover photos."""

import io
import json
import re

from ckeditor_uploader.backends.pillow_backend import THUMBNAIL_SIZE, PillowBackend
from ckeditor_uploader.forms import SearchForm
from ckeditor_uploader.utils import get_thumb_filename
from ckeditor_uploader.views import ImageUploadView, get_files_browse_urls
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from PIL import Image

from articles import images, workflow

EDIT_PERMISSION = "articles.change_article"
# The editor protocol echoes this number into a script: ASCII digits only ("²".isdigit() is true too).
FUNC_NUM = re.compile(r"[0-9]{1,9}")


class ImageBackend(PillowBackend):
    """django-ckeditor's Pillow backend, with thumbnails in the photo's own format.

    Upstream writes a JPEG under the photo's name (x_thumb.png), so S3 would label it image/png.
    """

    def create_thumbnail(self, file_object, file_path):
        with self.storage_engine.open(file_path) as stored, Image.open(stored) as image:
            image_format = image.format
            image.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            image.save(buffer, format=image_format)  # articles.images stored it in a mode its format takes
        return self.storage_engine.save(get_thumb_filename(file_path), buffer)


class CheckedImageUploadView(ImageUploadView):
    def post(self, request, **kwargs):
        if not request.user.has_perm(EDIT_PERMISSION):
            raise PermissionDenied
        func_num = request.GET.get("CKEditorFuncNum")
        if func_num is not None and not FUNC_NUM.fullmatch(func_num):
            request.GET = request.GET.copy()
            request.GET["CKEditorFuncNum"] = "0"
        uploaded = request.FILES.get("upload")
        if uploaded is None:
            return self.refuse(request, "Файл не получен.")
        try:
            request.FILES["upload"] = images.clean_upload(uploaded)
        except ValidationError as error:
            return self.refuse(request, " ".join(error.messages))
        return super().post(request, **kwargs)

    @staticmethod
    def refuse(request, message):
        """Answer in the form the editor asked for: JSON for drag-and-drop, a callback for the dialog."""
        func_num = request.GET.get("CKEditorFuncNum")
        if func_num:
            text = json.dumps(message).replace("<", "\\u003c")
            return HttpResponse(
                f"<script>window.parent.CKEDITOR.tools.callFunction({int(func_num)}, '', {text});</script>"
            )
        return JsonResponse({"uploaded": 0, "error": {"message": message}})


# As upstream: CKEditor's upload dialog posts without a CSRF token; the session cookie is SameSite=Lax,
# so a cross-site form cannot carry it.
upload_image = admin.site.admin_view(csrf_exempt(CheckedImageUploadView.as_view()))


def browse_view(request):
    """List the photos a person may reuse: their own; a moderator's or superuser's, everyone's."""
    if not request.user.has_perm(EDIT_PERMISSION):
        raise PermissionDenied
    # With CKEDITOR_RESTRICT_BY_USER the library lists uploads/<user id>/ only, and everything for user=None.
    sees_all = request.user.is_superuser or workflow.is_moderator(request.user)
    files = get_files_browse_urls(None if sees_all else request.user)
    form = SearchForm(request.POST or None)
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"].lower()
        files = [file for file in files if query in file["visible_filename"].lower()]
    return render(request, "ckeditor/browse.html", {"files": files, "form": form})


# The admin site decides who is staff and signed in with the two-factor policy met.
browse = admin.site.admin_view(browse_view)
