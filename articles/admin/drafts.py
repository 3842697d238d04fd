"""The article form's autosave: each person's unsaved text kept as their own draft and offered back."""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext

from articles import drafts


class ArticleDraftsMixin:
    """ArticleAdmin's draft endpoint and the form's autosave context."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("drafts/<str:key>/", view(self.draft_view), name="articles_article_new_draft"),
            path("<int:pk>/drafts/<str:key>/", view(self.draft_view), name="articles_article_draft"),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add or (obj is not None and self.has_change_permission(request, obj)):
            context["autosave"] = self.autosave_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def autosave_context(self, request, article):
        """What the form's script needs: its key and opening time (kept across a refused save), and the offers."""
        posted = request.method == "POST"
        key = request.POST.get("autosave_key") if posted else None
        key = key if drafts.is_key(key) else drafts.new_key()
        opened_at = drafts.parse_moment(request.POST.get("autosave_opened")) if posted else None
        return {
            "key": key,
            "user": request.user.pk,
            "days": settings.NEWSROOM_DRAFT_DAYS,  # how long this browser keeps its own copies too
            "opened_at": (opened_at or timezone.now()).isoformat(),
            "url": self.draft_url(article, key),
            "scope": article.pk if article is not None else "new",
            "offers": drafts.offers(request.user, article, but=key),
            "is_dirty": posted,  # a form given back with errors holds text not saved yet
        }

    def draft_url(self, article, key):
        if article is None:
            return reverse("admin:articles_article_new_draft", args=[key])
        return reverse("admin:articles_article_draft", args=[article.pk, key])

    def draft_view(self, request, key, pk=None):
        """POST: keep the person's draft of form `key`; DELETE: discard it. JSON in and out."""
        if not drafts.is_key(key):
            raise Http404
        if request.method == "DELETE":
            drafts.discard(request.user, key)  # one's own, whatever became of the story
            return HttpResponse(status=204)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST", "DELETE"])
        article = self.get_article(request, pk) if pk is not None else None
        allowed = self.has_change_permission(request, article) if article else self.has_add_permission(request)
        if not allowed:
            raise PermissionDenied
        too_big = JsonResponse(
            {
                "error": gettext(
                    "Текст слишком велик для черновика на сервере (больше %(kb)s КБ): он хранится только в этом "
                    "браузере. Сохраните материал."
                )
                % {"kb": drafts.max_bytes() // 1024}
            },
            status=413,
        )
        try:
            if len(request.body) > drafts.max_bytes():
                return too_big
            payload = json.loads(request.body)
            form_fields = self.get_form(request, article, change=article is not None).base_fields
            base_version, fields = drafts.clean(payload, form_fields)
        except RequestDataTooBig:
            return too_big
        except (ValueError, UnicodeDecodeError) as error:  # json's errors are ValueErrors, as is DraftError
            message = str(error) if isinstance(error, drafts.DraftError) else gettext("Черновик не прочитан.")
            return JsonResponse({"error": message}, status=400)
        draft = drafts.keep(request.user, article, key, base_version, fields)
        return JsonResponse({"saved_at": timezone.localtime(draft.saved_at).strftime("%H:%M")})
