"""Import and export of primary organisations: Russian column titles, forgiving lookups, a clear message per problem."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.results import RowResult

from parties.columns import (
    ACTIVE,
    CITY,
    COLUMNS,
    DISTRICT,
    FOUNDED,
    LEADER,
    MEMBERS,
    NAME,
    PARTY,
    REGION,
    REQUIRED_COLUMNS,
    cell_text,
    column_title,
)
from parties.formats import escape_formulae
from parties.lookup import Registry
from parties.models import PrimaryOrganisation
from parties.widgets import (
    ActiveWidget,
    CityWidget,
    DistrictWidget,
    FoundedWidget,
    MembersWidget,
    PartyWidget,
    RegionWidget,
    RegistryWidget,
    TextWidget,
)


class PrimaryOrganisationResource(resources.ModelResource):
    party = fields.Field("party", PARTY, PartyWidget(required=True))
    region = fields.Field("region", REGION, RegionWidget(required=True))
    district = fields.Field("district", DISTRICT, DistrictWidget())
    city = fields.Field("city", CITY, CityWidget())
    name = fields.Field("name", NAME, TextWidget(required_message=gettext_lazy("Укажите название организации.")))
    leader = fields.Field("leader", LEADER, TextWidget())
    members_count = fields.Field("members_count", MEMBERS, MembersWidget())
    founded_on = fields.Field("founded_on", FOUNDED, FoundedWidget())
    is_active = fields.Field("is_active", ACTIVE, ActiveWidget())

    class Meta:
        model = PrimaryOrganisation
        name = gettext_lazy("Первичные партийные организации")
        fields = ["party", "region", "district", "city", "name", "leader", "members_count", "founded_on", "is_active"]
        import_id_fields = ["party", "region", "name"]
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.registry = Registry()
        for field in self.fields.values():
            if isinstance(field.widget, RegistryWidget):
                field.widget.registry = self.registry
        self.first_rows = {}

    def get_queryset(self):
        return PrimaryOrganisation.objects.select_related("party", "region", "district", "city")

    def after_export(self, queryset, dataset, **kwargs):
        # Whatever the format, no cell reaches a regional office's spreadsheet as a formula.
        escape_formulae(dataset)

    def before_import(self, dataset, **kwargs):
        dataset.headers = [column_title(header) for header in dataset.headers]
        missing = [title for title in REQUIRED_COLUMNS if title not in dataset.headers]
        if missing:
            raise ValueError(
                _("В файле нет обязательных столбцов: %(missing)s. В первой строке должны быть заголовки: %(all)s.")
                % {"missing": ", ".join(f"«{title}»" for title in missing), "all": ", ".join(COLUMNS)}
            )

    def import_row(self, row, instance_loader, **kwargs):
        if all(not cell_text(value) for value in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # A key cell that cannot be read: the row is reported by its own validation.
            return None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors.keys() & {"district", "city"} and instance.city and instance.district:
            if instance.city.district_id not in (None, instance.district_id):
                errors["city"] = [
                    _("Город «%(city)s» находится не в районе «%(district)s».")
                    % {"city": instance.city.name, "district": instance.district.name}
                ]
        if not errors.keys() & {"party", "region", "name"}:
            key = (instance.party_id, instance.region_id, instance.name)
            first = self.first_rows.setdefault(key, kwargs["row_number"])
            if first != kwargs["row_number"]:
                errors.setdefault("name", []).append(
                    _("Та же организация (партия, регион и название), что в строке %(line)s.") % {"line": first + 1}
                )
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            # Name each problem by the column the sender sees, not by the model's field.
            titles = {field.attribute: field.column_name for field in self.fields.values()}
            raise ValidationError(
                {titles.get(key, key): messages for key, messages in error.message_dict.items()}
            ) from None
