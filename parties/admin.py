from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, FieldError, PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX

from parties import uploads
from parties.columns import COLUMNS, REQUIRED_COLUMNS
from parties.formats import ExcelCSV, SpreadsheetFormat, UnreadableFile
from parties.models import Party, PartyProject, PrimaryOrganisation
from parties.resources import PrimaryOrganisationResource


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "organisations_count", "members_count", "projects_count", "website"]
    search_fields = ["name", "name_kk", "short_name", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    @admin.display(description=gettext_lazy("действующих ППО"), ordering="organisations_count")
    def organisations_count(self, party):
        return party.organisations_count

    @admin.display(description=gettext_lazy("членов в них"), ordering="members_count")
    def members_count(self, party):
        return party.members_count

    @admin.display(description=gettext_lazy("проектов"), ordering="projects_count")
    def projects_count(self, party):
        return party.projects_count


@admin.register(PrimaryOrganisation)
class PrimaryOrganisationAdmin(ImportExportModelAdmin):
    list_display = ["name", "party", "region", "place", "leader", "members_count", "is_active"]
    list_filter = ["party", "is_active", "region", "district"]
    search_fields = ["name", "leader", "party__short_name", "region__name", "district__name", "city__name"]
    autocomplete_fields = ["party", "region", "district", "city"]
    list_select_related = ["party", "region", "district", "city"]
    resource_classes = [PrimaryOrganisationResource]
    import_formats = [SpreadsheetFormat]
    export_formats = [ExcelCSV, XLSX]
    import_template_name = "parties/primaryorganisation_import.html"
    import_form_class = uploads.ImportForm
    confirm_form_class = uploads.ConfirmImportForm

    @admin.display(description=gettext_lazy("район или город"), ordering=Coalesce("city__name", "district__name"))
    def place(self, organisation):
        return organisation.place

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        """The list's filters from the address; a made-up one is a bad request (the list page says ?e=1)."""
        try:
            return super().get_export_queryset(request)
        except (IncorrectLookupParameters, FieldError, ValidationError) as error:
            raise BadRequest("Unknown filter in the export's address") from error

    def get_tmp_storage_class(self):
        # The confirming request may reach another worker or server than the preview: keep the upload in the
        # shared cache when there is one (Redis), on the local disk otherwise.
        if settings.CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
            return uploads.FolderStorage
        return uploads.CacheStorage

    def get_import_form_kwargs(self, request):
        return {**super().get_import_form_kwargs(request), "user": request.user}

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {
            **super().get_confirm_form_kwargs(request, import_form),
            "user": request.user,
            "format_count": len(self.get_import_formats()),
            "resource_count": len(self.get_import_resource_classes(request)),
        }

    def write_to_tmp_storage(self, import_file, input_format):
        storage = self.get_tmp_storage_class()(owner_id=import_file.owner_id, read_mode=input_format.get_read_mode())
        storage.save(b"".join(import_file.chunks()))
        return storage

    def get_import_context_data(self, **kwargs):
        caps = {
            "mb": settings.NEWSROOM_IMPORT_MAX_MB,
            "rows": number_format(settings.NEWSROOM_IMPORT_MAX_ROWS, force_grouping=True),
            "columns": settings.NEWSROOM_IMPORT_MAX_COLUMNS,
        }
        return {"columns": COLUMNS, "required_columns": REQUIRED_COLUMNS, "import_caps": caps}

    def get_import_data_kwargs(self, **kwargs):
        # One bad row, even one that turns bad between preview and confirmation, imports nothing.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        # Nothing can be confirmed from a file that cannot be read: it is not kept.
        self.get_tmp_storage_class()(name=form.cleaned_data["import_file"].tmp_storage_name).remove()
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                _("Не удалось прочитать файл: сохраните таблицу как CSV или «Книгу Excel (.xlsx)» и загрузите снова."),
            )

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            # A hand-made confirmation naming a file that is not the user's own: nothing is read or removed.
            errors = confirm_form.errors.get("import_file_name") or [uploads.FOREIGN_FILE]
            messages.error(request, " ".join(str(error) for error in errors))
            return redirect(reverse("admin:parties_primaryorganisation_import"))
        try:
            return super().process_import(request, **kwargs)
        except UnreadableFile as error:
            # Among others: the uploaded file is gone, e.g. after a second click on «Подтвердить импорт».
            messages.error(request, str(error))
            return redirect(reverse("admin:parties_primaryorganisation_import"))
        except OSError:
            messages.error(request, uploads.GONE_FILE)
            return redirect(reverse("admin:parties_primaryorganisation_import"))
        finally:
            # One confirmation per upload, whatever its outcome.
            self.get_tmp_storage_class()(name=confirm_form.cleaned_data["import_file_name"]).remove()

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _(
                    "Ничего не импортировано: при подтверждении в файле нашлись ошибки. "
                    "Загрузите его снова, чтобы их увидеть."
                ),
            )
            return redirect(reverse("admin:parties_primaryorganisation_import"))
        return super().process_result(result, request)


@admin.register(PartyProject)
class PartyProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kk", "party"]
    list_filter = ["party"]
    search_fields = ["name", "name_kk", "description"]
    autocomplete_fields = ["party"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["party"]
