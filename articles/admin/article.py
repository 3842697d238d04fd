from datetime import datetime

from django.contrib import admin, messages
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import preview, revisions, workflow
from articles import search as full_text
from articles.forms import ArticleAdminForm
from articles.models import Article
from newsroom.pagination import BoundedPaginator


class SearchResultsPaginator(BoundedPaginator):
    """Search results in the desk: twenty pages of a hundred; counting up to 10,000 matches cost more than the list."""

    def page_limit(self):
        return 20


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "status_display", "section", "region", "author", "waiting", "publish_at", "updated_at"]
    list_filter = ["status", "section", "language", "region"]
    list_select_related = ["section", "region", "author"]
    search_fields = ["title", "lead"]  # searched through the full-text index: see get_search_results
    show_full_result_count = False  # no second COUNT(*) over the whole archive on every list view
    paginator = BoundedPaginator  # nor a first one: older stories are found by search and filters
    autocomplete_fields = ["section", "region", "cities", "translation_of", "party_organisations", "party_projects"]
    readonly_fields = ["status", "slug", "first_published_at", "created_at", "updated_at", "version"]
    actions = ["submit_selected", "approve_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "lead", "body"]}),
        (_("Фото"), {"fields": ["cover_image", "cover_alt", "cover_caption", "cover_credit"]}),
        (_("Где и о чём"), {"fields": ["section", "region", "cities", "tags", "language", "translation_of"]}),
        (_("Связи с партийным реестром"), {"fields": ["party_organisations", "party_projects"]}),
        (_("Подпись и публикация"), {"fields": ["byline", "is_featured", "publish_at", "proposed_publish_at"]}),
        (
            _("Служебное"),
            {"fields": ["status", "slug", "first_published_at", "created_at", "updated_at", "version"]},
        ),
        (None, {"fields": ["base_version", "seen_version"], "classes": ["hidden"]}),
    ]

    # --- who sees and does what: every answer comes from articles.workflow ---

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            # Choosing a story to link to (translation_of): what the user may see, as the form accepts.
            return queryset.visible_to(request.user).defer("body", "search_vector")
        queryset = queryset.on_desk_of(request.user)
        if request.resolver_match and request.resolver_match.url_name == "articles_article_changelist":
            queryset = queryset.defer("body", "search_vector")  # the list shows neither
        return queryset

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator_class = SearchResultsPaginator if request.GET.get("q") else self.paginator
        return paginator_class(queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request, queryset, search_term):
        """Search the archive through the full-text index (any language), not a LIKE over every row."""
        term = full_text.clean_query(search_term)
        if not term:
            return queryset, False
        query = SearchQuery(term, config="simple", search_type="websearch") | SearchQuery(
            term, config="russian", search_type="websearch"
        )
        return queryset.filter(search_vector=query), False

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *workflow.readonly_fields(request.user)]

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or workflow.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or workflow.can_delete(request.user, obj))

    def has_publish_permission(self, request):
        return workflow.is_moderator(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            # Bulk delete does not ask per article; only a superuser may delete published stories.
            actions.pop("delete_selected", None)
        return actions

    def get_ordering(self, request):
        if request.GET.get("status__exact") == Article.Status.REVIEW:
            return ["submitted_at", "id"]  # the review queue: oldest first
        return super().get_ordering(request)

    # --- the list ---

    @admin.display(description=_("статус"), ordering="status")
    def status_display(self, obj):
        if obj.status == Article.Status.PUBLISHED and obj.publish_at and obj.publish_at > timezone.now():
            return gettext("Запланировано на %(moment)s") % {
                "moment": timezone.localtime(obj.publish_at).strftime("%d.%m.%Y %H:%M")
            }
        return obj.get_status_display()

    @admin.display(description=_("ждёт"), ordering="submitted_at")
    def waiting(self, obj):
        if obj.status == Article.Status.REVIEW and obj.submitted_at:
            return timesince(obj.submitted_at)
        return ""

    @admin.action(description=_("Отправить на модерацию"))
    def submit_selected(self, request, queryset):
        self.apply_to_each(request, queryset, "submit")

    @admin.action(description=_("Одобрить и опубликовать сейчас"), permissions=["publish"])
    def approve_selected(self, request, queryset):
        self.apply_to_each(request, queryset, "approve")

    @admin.action(description=_("Снять с публикации"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self.apply_to_each(request, queryset, "unpublish")

    def apply_to_each(self, request, queryset, name):
        done = 0
        for article in queryset:
            try:
                workflow.apply(article, name, by=request.user)
                done += 1
            except workflow.WorkflowError as error:
                self.message_user(request, f"«{article.title}»: {error}", messages.ERROR)
        if done:
            self.message_user(
                request,
                gettext("«%(action)s»: выполнено для %(count)s материалов.")
                % {"action": workflow.TRANSITIONS[name].label, "count": done},
                messages.SUCCESS,
            )

    # --- saving: author, revisions ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user)

    # --- the change page: workflow buttons, history, preview ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/transition/<str:name>/", view(self.transition_view), name="articles_article_transition"),
            path("<int:pk>/preview/", view(self.preview_view), name="articles_article_preview"),
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
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                transitions=workflow.allowed_transitions(request.user, obj),
                revisions=obj.revisions.select_related("created_by")[:30],
                events=obj.workflow_events.select_related("actor")[:30],
                rejection=latest_rejection(obj),
                can_edit=workflow.can_edit(request.user, obj),
                is_scheduled=obj.status == Article.Status.PUBLISHED and not obj.is_live(),
                can_share=workflow.can_share(request.user, obj),
                preview_links=obj.preview_links.active().select_related("created_by"),
                proposed_time=proposed_time(obj),
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
            publish_at = parse_local_datetime(request.POST.get("publish_at", ""))
            event = workflow.apply(
                article, name, by=request.user, comment=request.POST.get("comment", ""), publish_at=publish_at
            )
        except (workflow.WorkflowError, ValueError) as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, success_message(article, event), messages.SUCCESS)
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
            "body": revision.data.get("body", ""),
            "rows": revisions.comparison_rows(revision.data, current),
            "can_restore": workflow.can_edit(request.user, article),
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


def latest_rejection(article):
    """The rejection that sent this draft back, if the draft's last move was a rejection."""
    if article.status != Article.Status.DRAFT:
        return None
    last = article.workflow_events.select_related("actor").first()
    return last if last and last.transition == "reject" else None


def proposed_time(article):
    """The author's proposed publication time, as the approve form's field takes it, while it is still ahead."""
    moment = article.proposed_publish_at
    if moment is None or moment <= timezone.now():
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


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
    if event.to_status == Article.Status.PUBLISHED and not article.is_live():
        return gettext("«%(title)s»: запланировано на %(moment)s.") % {
            "title": article.title,
            "moment": timezone.localtime(article.publish_at).strftime("%d.%m.%Y %H:%M"),
        }
    return gettext("«%(title)s»: %(action)s — готово.") % {
        "title": article.title,
        "action": workflow.TRANSITIONS[event.transition].label,
    }
