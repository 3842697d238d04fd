"""The article change page's own views: the workflow buttons, preview, draft links and revisions."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext

from articles import preview, revisions, translations, workflow
from articles.models import Article, Correction
from articles.sanitize import sanitize_html
from newsroom.middleware import MEDIA_CSP


class ArticleChangePageMixin:
    """ArticleAdmin's change page: workflow buttons, history and preview, each answer from articles.workflow."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/transition/<str:name>/", view(self.transition_view), name="articles_article_transition"),
            path("<int:pk>/preview/", view(self.preview_view), name="articles_article_preview"),
            path(
                "<int:pk>/translation/confirm/",
                view(self.confirm_translation_view),
                name="articles_article_confirm_translation",
            ),
            path("<int:pk>/share/", view(self.share_view), name="articles_article_share"),
            path(
                "<int:pk>/share/<int:link_id>/revoke/",
                view(self.revoke_link_view),
                name="articles_article_revoke_link",
            ),
            path(
                "<int:pk>/revisions/<int:revision_id>/",
                view(self.revision_view),
                name="articles_article_revision",
            ),
            path(
                "<int:pk>/revisions/<int:revision_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<int:pk>/revisions/<int:revision_id>/photo/",
                view(self.revision_photo_view),
                name="articles_article_revision_photo",
            ),
            path(
                "<int:pk>/revisions/<int:revision_id>/discard/",
                view(self.discard_view),
                name="articles_article_discard",
            ),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                transitions=workflow.allowed_transitions(request.user, obj),
                revisions=obj.revisions.select_related("created_by")[:30],
                events=obj.workflow_events.select_related("actor")[:30],
                rejection=latest_rejection(obj),
                can_edit=workflow.can_edit(request.user, obj),
                is_scheduled=obj.is_scheduled(),
                can_share=workflow.can_share(request.user, obj),
                preview_links=obj.preview_links.active().select_related("created_by"),
                planned_time=workflow.planned_publish_at(obj),
                publication_missing=publication_missing(request.user, obj),
                **stale_translation(request.user, obj),
                corrections=obj.corrections.select_related("created_by"),
                can_correct=workflow.can_correct(request.user, obj),
                correction_kinds=Correction.Kind.choices,
                telegram_posts=list(obj.telegram_posts.all()),
            )
        adminform = context.get("adminform")
        if adminform is not None:
            context["conflict"] = getattr(adminform.form, "conflict", None)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_article(self, request, pk):
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def change_url(self, article):
        return reverse("admin:articles_article_change", args=[article.pk])

    def transition_view(self, request, pk, name):
        if request.method != "POST":
            raise Http404
        article = self.get_article(request, pk)
        try:
            if request.POST.get("when") == "now":  # «Одобрить сейчас»: not the time in the field
                publish_at = timezone.now()
            else:
                publish_at = parse_local_datetime(request.POST.get("publish_at", ""))
            event = workflow.apply(
                article, name, by=request.user, comment=request.POST.get("comment", ""), publish_at=publish_at
            )
        except (workflow.WorkflowError, ValueError) as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, success_message(article, event), messages.SUCCESS)
            if event.missing:
                self.message_user(request, gate_warning(request.user, article, event), messages.WARNING)
        return HttpResponseRedirect(self.change_url(article))

    def confirm_translation_view(self, request, pk):
        if request.method != "POST":
            raise Http404
        article = self.get_article(request, pk)
        try:
            translations.confirm(article, by=request.user)
        except workflow.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, gettext("Перевод отмечен как актуальный."), messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(article))

    def preview_view(self, request, pk):
        return preview.render_preview(request, self.get_article(request, pk))

    def share_view(self, request, pk):
        if request.method != "POST":
            raise Http404
        article = self.get_article(request, pk)
        if not workflow.can_share(request.user, article):
            refusal = gettext("Ссылкой на черновик можно поделиться, только пока материал не опубликован.")
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(self.change_url(article))
        link = request.build_absolute_uri(preview.share_url(article, request.user))
        self.message_user(
            request,
            gettext("Ссылка для чтения без входа (действует %(hours)s ч): %(link)s")
            % {"hours": preview.link_hours(), "link": link},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.change_url(article))

    def revoke_link_view(self, request, pk, link_id):
        if request.method != "POST":
            raise Http404
        article = self.get_article(request, pk)
        link = get_object_or_404(article.preview_links.select_related("article"), pk=link_id)
        if not workflow.can_revoke(request.user, link):
            raise PermissionDenied
        preview.revoke(link, request.user)
        self.message_user(request, gettext("Ссылка на черновик отозвана: по ней больше ничего не откроется."))
        return HttpResponseRedirect(self.change_url(article))

    def revision_view(self, request, pk, revision_id):
        article = self.get_article(request, pk)
        revision = get_object_or_404(article.revisions.select_related("created_by"), pk=revision_id)
        current = revisions.snapshot(article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "revision": revision,
            "fields": [
                (revisions.field_label(name), revisions.display_value(name, revision.data.get(name)))
                for name in revisions.TRACKED_FIELDS
                if name != "body"
            ],
            "body": sanitize_html(revision.data.get("body", "")),  # as stored; sanitised again, whatever stored it
            "rows": revisions.comparison_rows(revision.data, current),
            "can_restore": workflow.can_edit(request.user, article),
            "can_discard": workflow.can_discard(request.user, revision),
            "kept_photo": revisions.kept_photo(revision),
            "title": gettext("Редакция от %(moment)s")
            % {"moment": timezone.localtime(revision.created_at).strftime("%d.%m.%Y %H:%M")},
        }
        return TemplateResponse(request, "admin/articles/article/revision.html", context)

    def restore_view(self, request, pk, revision_id):
        if request.method != "POST":
            raise Http404
        article = self.get_article(request, pk)
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied
        revision = get_object_or_404(article.revisions, pk=revision_id)
        revisions.restore(article, revision, request.user)
        self.message_user(request, gettext("Редакция восстановлена и сохранена как новая."), messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(article))

    def revision_photo_view(self, request, pk, revision_id):
        """The photo kept with an unapplied revision, for those who may see the story only (it has no public URL)."""
        article = self.get_article(request, pk)
        photo = revisions.kept_photo(get_object_or_404(article.revisions, pk=revision_id))
        if photo is None:
            raise Http404
        response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = MEDIA_CSP
        response["Cache-Control"] = "private, no-store"
        return response

    def discard_view(self, request, pk, revision_id):
        if request.method != "POST":
            raise Http404
        article = self.get_article(request, pk)
        revision = get_object_or_404(article.revisions, pk=revision_id)
        if not workflow.can_discard(request.user, revision):
            raise PermissionDenied
        revision.delete()  # with the photo kept with it
        self.message_user(request, gettext("Неприменённая правка удалена."), messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(article))


def stale_translation(user, article):
    """For a stale translation's page: the flag, the original's revision it was checked against (when `user` may
    open it) and whether `user` may confirm it."""
    if not article.is_stale_translation():
        return {"translation_is_stale": False}
    original = article.translation_of
    return {
        "translation_is_stale": True,
        "checked_revision": translations.checked_revision(article) if workflow.can_view(user, original) else None,
        "can_confirm_translation": workflow.can_confirm_translation(user, article),
    }


def latest_rejection(article):
    """The rejection that sent this draft back, if the draft's last move was a rejection."""
    if article.status != Article.Status.DRAFT:
        return None
    moves = article.workflow_events.filter(transition__in=workflow.TRANSITIONS)  # not a confirmed translation
    last = moves.select_related("actor").first()
    return last if last and last.transition == "reject" else None


def publication_missing(user, article):
    """What the publication gate finds missing, for the page that offers a transition it speaks at."""
    if any(transition.publication_gate for transition in workflow.allowed_transitions(user, article)):
        return workflow.missing_for_publication(article)
    return []


def gate_warning(user, article, event):
    """Done, but not publishable yet: say what is missing and how the person who did it completes the story."""
    warning = gettext("Для публикации не хватает: %(missing)s — модератор не сможет одобрить материал без этого.") % {
        "missing": ", ".join(event.missing)
    }
    if workflow.can_edit(user, article):
        return f"{warning} {gettext('Дополните материал и сохраните его.')}"
    return f"{warning} {gettext('Чтобы дополнить его, нажмите «Отозвать», исправьте и отправьте снова.')}"


def parse_local_datetime(value):
    """A `datetime-local` field's value in the site's time zone, or None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(gettext("Не удалось прочитать дату и время «%(value)s».") % {"value": value}) from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def success_message(article, event):
    if article.is_scheduled():
        return gettext("«%(title)s»: запланировано на %(moment)s.") % {
            "title": article.title,
            "moment": timezone.localtime(article.publish_at).strftime("%d.%m.%Y %H:%M"),
        }
    return gettext("«%(title)s»: %(action)s — готово.") % {
        "title": article.title,
        "action": workflow.TRANSITIONS[event.transition].label,
    }
