"""The rich-text editor's image upload, through the same checks as cover photos."""

import json

from ckeditor_uploader.views import ImageUploadView
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from articles import images


class CheckedImageUploadView(ImageUploadView):
    def post(self, request, **kwargs):
        if not request.user.has_perm("articles.change_article"):
            raise PermissionDenied
        func_num = request.GET.get("CKEditorFuncNum")
        if func_num is not None and not func_num.isdigit():
            # The number is echoed into a script by the editor protocol: digits only.
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
upload_image = csrf_exempt(staff_member_required(CheckedImageUploadView.as_view()))
