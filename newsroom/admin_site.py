"""The admin site: sign-in in two steps (password, then code) and the two-factor policy for staff."""

from functools import update_wrapper

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from newsroom import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Код из приложения или код восстановления"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label


class LoginForm(AdminAuthenticationForm):
    """The admin's login form; a user name longer than any account's is refused before it is looked up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class TwoStepLoginView(LoginView):
    """Django's login, except that a person with two-factor sign-in is signed in only after the code."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_device(user):
            return super().form_valid(form)
        two_factor.start_pending(self.request, user, self.get_success_url())
        return HttpResponseRedirect(reverse("admin:login_code", current_app=self.request.current_app))


class NewsroomAdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Let staff in once the two-factor policy is met; until then only to its setup page and to sign out."""
        if not super().has_permission(request):
            return False
        access = two_factor.admin_access(request)
        if access == two_factor.ENROL:
            return request.path in {self.setup_url(), reverse("admin:logout", current_app=self.name)}
        return access == two_factor.ALLOWED

    def must_enrol(self, request):
        user = request.user
        return user.is_active and user.is_staff and two_factor.admin_access(request) == two_factor.ENROL

    def setup_url(self):
        return reverse("admin:two_factor", current_app=self.name)

    def admin_view(self, view, cacheable=False):
        """Send staff who must still set up two-factor sign-in to its page from any other admin page."""
        checked = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if self.must_enrol(request) and not self.has_permission(request):
                return HttpResponseRedirect(self.setup_url())
            return checked(request, *args, **kwargs)

        return update_wrapper(never_cache(inner), view)

    def get_urls(self):
        return [
            path("login/code/", self.login_code, name="login_code"),
            path("two-factor/", self.admin_view(self.two_factor_setup), name="two_factor"),
            path("r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"),
        ] + super().get_urls()

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "view on site" redirect, only to objects the person may view in this admin.

        Django's own answers any staff member with the object's public address, which names a colleague's
        draft by its slug (its transliterated headline).
        """
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model_admin = self._registry.get(content_type.model_class()) if content_type else None
        obj = model_admin.get_object(request, object_id) if model_admin else None
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """Django's AdminSite.login with TwoStepLoginView; staff who must set up two-factor go to its page."""
        if request.method == "GET" and self.must_enrol(request):
            return HttpResponseRedirect(self.setup_url())
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return TwoStepLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form or LoginForm,
            template_name=self.login_template or "admin/login.html",
        )(request)

    @method_decorator(sensitive_post_parameters("code"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    @login_not_required
    def login_code(self, request):
        """Second step of signing in: the code; only a right one signs the person in."""
        pending = two_factor.pending_sign_in(request)
        if pending is None:
            messages.error(request, _("Время на ввод кода истекло. Войдите снова: логин и пароль."))
            return HttpResponseRedirect(reverse("admin:login", current_app=self.name))
        user, backend, redirect_to = pending
        form = CodeForm(request.POST or None)
        if form.is_valid():
            device, refusal = two_factor.check_code(user, form.cleaned_data["code"])
            if device is not None:
                two_factor.clear_pending(request)
                auth_login(request, user, backend=backend)
                otp_login(request, device)
                if two_factor.is_recovery_code_device(device):
                    left = two_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        _("Вы вошли по коду восстановления. Неиспользованных кодов осталось: %(left)s.")
                        % {"left": left},
                    )
                return HttpResponseRedirect(redirect_to)
            form.add_error("code", refusal)
        context = {
            **self.each_context(request),
            "title": _("Код подтверждения"),
            "form": form,
            "username": user.get_username(),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/two_factor/login_code.html", context)

    @method_decorator(sensitive_post_parameters("code"))
    def two_factor_setup(self, request):
        """Show the person's two-factor status; enable, confirm, renew recovery codes or disable it."""
        user = request.user
        forms_by_action = {name: self.setup_form(name) for name in ("confirm", "renew", "disable")}
        action = request.POST.get("action") if request.method == "POST" else None
        if action == "enable" and not two_factor.has_app(user):
            two_factor.start_enrolment(user)
            return HttpResponseRedirect(self.setup_url())
        if action == "disable" and two_factor.is_required_for(user):
            messages.error(request, _("Отключить нельзя: для вашей роли двухфакторная защита обязательна."))
            return HttpResponseRedirect(self.setup_url())
        if action in forms_by_action:
            form = forms_by_action[action] = self.setup_form(action, request.POST)
            if form.is_valid():
                codes, refusal = self.apply_setup_action(request, action, form.cleaned_data["code"])
                if refusal is None and action == "disable":
                    messages.success(request, _("Двухфакторная защита отключена."))
                    return HttpResponseRedirect(self.setup_url())
                if refusal is None:
                    return self.render_setup(request, forms_by_action, recovery_codes=codes)
                form.add_error("code", refusal)
        return self.render_setup(request, forms_by_action)

    @staticmethod
    def setup_form(action, data=None):
        label = _("Код из приложения") if action == "confirm" else None
        return CodeForm(data, auto_id=f"id_{action}_%s", label=label)

    def apply_setup_action(self, request, action, code):
        """Do `action` once `code` is right: return (recovery codes or None, None), or (None, reason)."""
        if action == "confirm":
            device = two_factor.unconfirmed_totp_device(request.user)
            if device is None:
                return None, _("Сначала нажмите «Включить».")
            codes, refusal = two_factor.confirm_enrolment(device, code)
            if refusal is None:
                otp_login(request, device)  # this session was just confirmed with a code
            return codes, refusal
        device, refusal = two_factor.check_code(request.user, code)
        if refusal is not None:
            return None, refusal
        if action == "renew":
            return two_factor.replace_recovery_codes(request.user), None
        two_factor.disable(request.user)
        return None, None

    def render_setup(self, request, forms_by_action, recovery_codes=None):
        user = request.user
        is_enabled = two_factor.has_app(user)
        pending_device = None if is_enabled else two_factor.unconfirmed_totp_device(user)
        context = {
            **self.each_context(request),
            "title": _("Двухфакторная защита"),
            "is_enabled": is_enabled,
            "is_required": two_factor.is_required_for(user),
            "pending_device": pending_device,
            "secret": pending_device and two_factor.secret_text(pending_device),
            "qr_code": pending_device and two_factor.qr_code_data_uri(pending_device),
            "recovery_codes": recovery_codes,
            "recovery_codes_left": two_factor.recovery_codes_left(user) if is_enabled else 0,
            "forms": forms_by_action,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/two_factor/setup.html", context)


class RecordAdmin(admin.ModelAdmin):
    """Records kept as they were written: nobody adds or changes one in the admin; only a superuser deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class PageAdmin(admin.ModelAdmin):
    """A model whose admin is one page of its own, not a list of rows (a dashboard, a form over the whole table).

    Who opens it is may_open(request); it adds and deletes nothing; saves_changes says whether its form saves.
    """

    saves_changes = False

    def may_open(self, request):
        raise NotImplementedError

    def has_module_permission(self, request):
        return self.may_open(request)

    def has_view_permission(self, request, obj=None):
        return self.may_open(request)

    def has_change_permission(self, request, obj=None):
        return self.saves_changes and self.may_open(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserRecordAdmin(RecordAdmin):
    """Records only superusers see: the list, each record read-only, and deleting one."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


class DeviceAdmin(SuperuserRecordAdmin):
    """Superusers only: who has two-factor sign-in, and removing a lost device; never a key or a code."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
