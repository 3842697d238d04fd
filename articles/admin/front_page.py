"""«Главная страница»: moderators pin stories to the home page's top slots and put up the «Срочно» banner."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import front_page, preview, workflow
from articles.models import Article, BreakingBanner, FrontPageSlot
from articles.models.front_page import BANNER_TEXT_MAX_LENGTH, SLOT_COUNT, validate_banner_link
from articles.views import home_context
from newsroom.admin_site import PageAdmin
from newsroom.navigation import header_context

# The stories offered in each slot's list: the newest published ones (and those pinned now).
CHOICES_LIMIT = 150
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def moment_field(label, help_text):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=[MOMENT_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MOMENT_FORMAT),
    )


class FrontPageForm(forms.Form):
    """The whole arrangement at once: each slot's story and end time, and the banner."""

    banner_on = forms.BooleanField(label=gettext_lazy("Показывать плашку «Срочно»"), required=False)
    banner_text = forms.CharField(label=gettext_lazy("Текст"), max_length=BANNER_TEXT_MAX_LENGTH, required=False)
    banner_text_kk = forms.CharField(
        label=gettext_lazy("Текст на казахском"),
        max_length=BANNER_TEXT_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("Пусто — на казахской версии сайта показывается русский текст."),
    )
    banner_link = forms.CharField(
        label=gettext_lazy("Ссылка"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Адрес материала на сайте (/news/…) или полный адрес с https://."),
    )
    banner_ends_at = moment_field(gettext_lazy("Показывать до"), gettext_lazy("В это время плашка исчезнет сама."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pinned = list(FrontPageSlot.objects.live().values_list("article_id", flat=True))
        offered = Article.objects.published().newest_first().only("id", "title", "publish_at", "language")
        stories = list(offered[:CHOICES_LIMIT])
        stories += [story for story in Article.objects.filter(pk__in=pinned) if story not in stories]
        choices = [("", _("— автоматически —")), *((story.pk, story_label(story)) for story in stories)]
        for position in range(1, SLOT_COUNT + 1):
            field = forms.ModelChoiceField(
                queryset=Article.objects.all(),
                required=False,
                label=_("Место %(position)s") % {"position": position}
                if position > 1
                else _("Место 1 — главная новость"),
            )
            field.widget.choices = choices
            self.fields[f"slot_{position}"] = field
            self.fields[f"slot_{position}_ends_at"] = moment_field(
                _("до"), _("Пусто — пока не открепят; потом место заполняется автоматически.")
            )

    @classmethod
    def current(cls):
        """The form showing the arrangement readers see now."""
        initial = {}
        for slot in FrontPageSlot.objects.live():
            initial[f"slot_{slot.position}"] = slot.article_id
            initial[f"slot_{slot.position}_ends_at"] = slot.ends_at and timezone.localtime(slot.ends_at)
        banner = BreakingBanner.objects.live().first()
        if banner is not None:
            initial.update(
                banner_on=True,
                banner_text=banner.text,
                banner_text_kk=banner.text_kk,
                banner_link=banner.link,
                banner_ends_at=timezone.localtime(banner.ends_at),
            )
        return cls(initial=initial)

    def slot_rows(self):
        return [(self[f"slot_{position}"], self[f"slot_{position}_ends_at"]) for position in range(1, SLOT_COUNT + 1)]

    def clean(self):
        data = super().clean()
        now = timezone.now()
        seen = {}
        for position in range(1, SLOT_COUNT + 1):
            story, ends_at = data.get(f"slot_{position}"), data.get(f"slot_{position}_ends_at")
            if ends_at is not None and ends_at <= now:
                self.add_error(f"slot_{position}_ends_at", _("Это время уже прошло."))
            if story is None:
                continue
            refusal = front_page.refusal_to_pin(story, now)
            if refusal:
                self.add_error(f"slot_{position}", refusal)
            elif story.pk in seen:
                self.add_error(
                    f"slot_{position}", _("Этот материал уже на месте %(position)s.") % {"position": seen[story.pk]}
                )
            seen.setdefault(story.pk, position)
        if data.get("banner_on"):
            self.clean_banner(data, now)
        return data

    def clean_banner(self, data, now):
        for name in ("banner_text", "banner_link", "banner_ends_at"):
            if not data.get(name):
                self.add_error(name, _("Заполните, чтобы показать плашку."))
        link = data.get("banner_link")
        if link:
            try:
                validate_banner_link(link)
            except forms.ValidationError as error:
                self.add_error("banner_link", error)
        ends_at = data.get("banner_ends_at")
        if ends_at is not None and ends_at <= now:
            self.add_error("banner_ends_at", _("Это время уже прошло."))

    def slots(self):
        """{position: (story or None, ends_at)} as front_page.save takes them."""
        data = self.cleaned_data
        return {
            position: (data[f"slot_{position}"], data[f"slot_{position}_ends_at"] if data[f"slot_{position}"] else None)
            for position in range(1, SLOT_COUNT + 1)
        }

    def banner(self):
        """The banner's fields as front_page.save takes them, or None when it is not to be shown."""
        data = self.cleaned_data
        if not data["banner_on"]:
            return None
        return {
            "text": data["banner_text"].strip(),
            "text_kk": data["banner_text_kk"].strip(),
            "link": data["banner_link"].strip(),
            "ends_at": data["banner_ends_at"],
        }


def story_label(story):
    moment = timezone.localtime(story.publish_at).strftime("%d.%m %H:%M")
    language = "" if story.language == "ru" else f" [{story.language}]"
    return f"{story.title} — {moment}{language}"


@admin.register(FrontPageSlot)
class FrontPageAdmin(PageAdmin):
    """One page instead of a list: the slots and the banner, with a preview; moderators only (workflow)."""

    saves_changes = True

    def may_open(self, request):
        return workflow.can_arrange_front_page(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.arrange_view), name="articles_frontpageslot_changelist"),
            path("preview/", view(self.preview_view), name="articles_frontpageslot_preview"),
        ]

    def check_permission(self, request):
        if not workflow.can_arrange_front_page(request.user):
            raise PermissionDenied

    def arrange_view(self, request):
        self.check_permission(request)
        form = FrontPageForm(request.POST) if request.method == "POST" else FrontPageForm.current()
        if request.method == "POST" and form.is_valid():
            try:
                front_page.save(by=request.user, slots=form.slots(), banner=form.banner())
            except front_page.FrontPageError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Главная страница обновлена: читатели видят её со следующего запроса."))
                return HttpResponseRedirect(reverse("admin:articles_frontpageslot_changelist"))
        return self.render_form(request, form)

    def preview_view(self, request):
        """The home page with the arrangement in the form, stored nowhere (no page cache, no edge, no browser)."""
        self.check_permission(request)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_frontpageslot_changelist"))
        form = FrontPageForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, form)
        pinned = {position: story for position, (story, _ends_at) in form.slots().items() if story is not None}
        banner_fields = form.banner()
        context = {
            **header_context(request),
            **home_context(request, pinned),
            "breaking_banner": BreakingBanner(**banner_fields) if banner_fields else None,
            "is_preview": True,
        }
        return preview.render_private(request, "articles/home.html", context, 200)

    def render_form(self, request, form):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Главная страница"),
            "opts": self.model._meta,
            "form": form,
            "preview_url": reverse("admin:articles_frontpageslot_preview"),
            "events_url": reverse("admin:articles_workflowevent_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/frontpageslot/arrange.html", context)
