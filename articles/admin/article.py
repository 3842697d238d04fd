from django.contrib import admin, messages
from django.contrib.postgres.search import SearchQuery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import drafts, revisions, workflow
from articles import search as full_text
from articles.admin.authors import CoauthorInline
from articles.admin.change_page import ArticleChangePageMixin, gate_warning
from articles.admin.drafts import ArticleDraftsMixin
from articles.admin.gallery import GalleryInline
from articles.admin.photos import PhotoPickerMixin
from articles.admin.plan import ArticlePlanMixin
from articles.forms import ArticleAdminForm
from articles.models import Article, ArticleRevision, WorkflowEvent
from newsroom.pagination import BoundedPaginator


class SearchResultsPaginator(BoundedPaginator):
    """Search results in the desk: twenty pages of a hundred; counting up to 10,000 matches cost more than the list."""

    def page_limit(self):
        return 20


class StaleTranslationFilter(admin.SimpleListFilter):
    """Translations whose original changed after they were last checked (articles/translations.py)."""

    title = _("перевод устарел")
    parameter_name = "stale_translation"

    def lookups(self, request, model_admin):
        return [("yes", _("Перевод устарел"))]

    def queryset(self, request, queryset):
        return queryset.stale_translations() if self.value() == "yes" else queryset


@admin.register(Article)
class ArticleAdmin(ArticlePlanMixin, ArticleChangePageMixin, ArticleDraftsMixin, PhotoPickerMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    photo_fields = ["cover_photo"]
    inlines = [CoauthorInline, GalleryInline]
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "status_display", "section", "region", "author", "waiting", "publish_at", "updated_at"]
    list_filter = ["status", "section", "language", "region", StaleTranslationFilter]
    list_select_related = ["section", "region", "author"]
    search_fields = ["title", "lead"]  # searched through the full-text index: see get_search_results
    show_full_result_count = False  # no second COUNT(*) over the whole archive on every list view
    paginator = BoundedPaginator  # nor a first one: older stories are found by search and filters
    autocomplete_fields = [
        "cover_photo",
        "section",
        "region",
        "cities",
        "translation_of",
        "party_organisations",
        "party_projects",
    ]
    readonly_fields = ["status", "slug", "first_published_at", "created_at", "updated_at", "version"]
    actions = ["submit_selected", "approve_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "lead", "body"]}),
        (_("Фото"), {"fields": ["cover_photo", "cover_upload", "cover_alt", "cover_caption", "cover_credit"]}),
        (_("Где и о чём"), {"fields": ["section", "region", "cities", "tags", "language", "translation_of"]}),
        (_("Связи с партийным реестром"), {"fields": ["party_organisations", "party_projects"]}),
        (_("Подпись и публикация"), {"fields": ["byline", "is_featured", "publish_at", "proposed_publish_at"]}),
        (
            _("Служебное"),
            {"fields": ["status", "slug", "first_published_at", "created_at", "updated_at", "version"]},
        ),
        (None, {"fields": ["base_version", "seen_version", "kept_photo"], "classes": ["hidden"]}),
    ]

    # --- who sees and does what: every answer comes from articles.workflow ---

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            # Choosing a story to link to (translation_of): what the user may see, as the form accepts.
            return queryset.visible_to(request.user).defer("body", "search_vector")
        queryset = queryset.on_desk_of(request.user)
        if request.resolver_match and request.resolver_match.url_name == "articles_article_changelist":
            # The list shows neither body nor search column; it marks stale translations (status_display).
            queryset = queryset.defer("body", "search_vector").with_translation_freshness()
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
        return [*super().get_readonly_fields(request, obj), *workflow.readonly_fields(request.user, obj)]

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or workflow.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or workflow.can_delete(request.user, obj))

    def get_deleted_objects(self, objs, request):
        """A story that may be deleted (workflow.can_delete: an author's own draft) takes its own history with it:
        its revisions and workflow events are records nobody deletes one by one, not a reason to refuse."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        history = {ArticleRevision._meta.verbose_name, WorkflowEvent._meta.verbose_name}
        return deleted, model_count, {name for name in perms_needed if name not in history}, protected

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
        if obj.is_scheduled():
            status = gettext("Запланировано на %(moment)s") % {
                "moment": timezone.localtime(obj.publish_at).strftime("%d.%m.%Y %H:%M")
            }
        else:
            status = obj.get_status_display()
        if getattr(obj, "is_stale_translation_now", False):
            return format_html('{} <strong class="stale-translation">{}</strong>', status, gettext("перевод устарел"))
        return status

    @admin.display(description=_("ждёт"), ordering="submitted_at")
    def waiting(self, obj):
        if obj.status == Article.Status.REVIEW and obj.submitted_at:
            return timesince(obj.submitted_at)
        return ""

    @admin.action(description=_("Отправить на модерацию"))
    def submit_selected(self, request, queryset):
        self.apply_to_each(request, queryset, "submit")

    @admin.action(description=_("Одобрить (в назначенное время, если оно есть, иначе сейчас)"), permissions=["publish"])
    def approve_selected(self, request, queryset):
        self.apply_to_each(request, queryset, "approve")

    @admin.action(description=_("Снять с публикации"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self.apply_to_each(request, queryset, "unpublish")

    def apply_to_each(self, request, queryset, name):
        done = 0
        for article in queryset:
            try:
                event = workflow.apply(article, name, by=request.user)
                done += 1
            except workflow.WorkflowError as error:
                self.message_user(request, f"«{article.title}»: {error}", messages.ERROR)
            else:
                if event.missing:
                    warning = gate_warning(request.user, article, event)
                    self.message_user(request, f"«{article.title}»: {warning}", messages.WARNING)
        if done:
            self.message_user(
                request,
                gettext("«%(action)s»: выполнено для %(count)s материалов.")
                % {"action": workflow.TRANSITIONS[name].label, "count": done},
                messages.SUCCESS,
            )

    # --- saving: author, revisions, the autosaved drafts it makes unneeded ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_formsets_with_inlines(self, request, obj=None):
        """The co-authors' and the gallery's inlines, each except in a save that did not send it (a form opened
        before it existed, a script): such a save leaves them as they are instead of failing."""
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if request.method == "POST" and f"{formset.get_default_prefix()}-TOTAL_FORMS" not in request.POST:
                continue
            yield formset, inline

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user)
        drafts.forget_saved(
            request.user,
            form.instance,
            key=request.POST.get("autosave_key"),
            opened_at=drafts.parse_moment(request.POST.get("autosave_opened")),
            added=not change,
        )
