"""Import and export of primary organisations: Russian column titles, forgiving lookups, a clear message per problem."""

import re
from collections import defaultdict
from datetime import date, datetime
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.results import RowResult

from parties.formats import escape_formulae
from parties.models import Party, PrimaryOrganisation
from regions.models import City, District, Region

PARTY, REGION, DISTRICT, CITY, NAME = "Партия", "Регион", "Район", "Город", "Название"
LEADER, MEMBERS, FOUNDED, ACTIVE = "Председатель", "Членов", "Дата создания", "Действует"
COLUMNS = [PARTY, REGION, DISTRICT, CITY, NAME, LEADER, MEMBERS, FOUNDED, ACTIVE]
REQUIRED_COLUMNS = [PARTY, REGION, NAME, MEMBERS]
# Other titles offices use for the same columns, Kazakh ones included (compared case-insensitively).
COLUMN_ALIASES = {
    "партия (краткое название)": PARTY,
    "партия атауы": PARTY,
    "область": REGION,
    "өңір": REGION,
    "облыс": REGION,
    "аудан": DISTRICT,
    "қала": CITY,
    "наименование": NAME,
    "название ппо": NAME,
    "наименование ппо": NAME,
    "атауы": NAME,
    "председатель ппо": LEADER,
    "төраға": LEADER,
    "членов партии": MEMBERS,
    "число членов": MEMBERS,
    "количество членов": MEMBERS,
    "мүшелер саны": MEMBERS,
    "создана": FOUNDED,
    "құрылған күні": FOUNDED,
    "активна": ACTIVE,
    "жұмыс істейді": ACTIVE,
}
TRUE_WORDS = {"да", "д", "+", "1", "true", "yes", "y", "действует", "активна", "иә", "ия"}
FALSE_WORDS = {"нет", "н", "-", "0", "false", "no", "n", "не действует", "неактивна", "жоқ"}
DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"]
# Words that may be added to or left out of a name: «Айыртауский район» is «Айыртауский».
GENERIC_WORDS = {"район", "р-н", "ауданы", "аудан", "область", "обл", "облысы", "город", "г", "қаласы", "қ"}
GENERIC_WORDS |= {"партия", "партиясы"}
MAX_MEMBERS = 2_147_483_647


def cell_text(value):
    """Return a cell as text with single spaces; whole floats (as Excel stores numbers) lose their «.0»."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def normalise(text):
    """Return a name as compared: lower case, without quotes, with «е» for «ё»."""
    return " ".join(re.sub(r"[«»\"'“”„]", " ", cell_text(text)).replace("ё", "е").replace("Ё", "Е").split()).casefold()


def loosen(key):
    """Return a normalised name without generic words such as «район» or «область»."""
    words = [word.strip(".") for word in re.split(r"[\s.]+", key)]
    return " ".join(word for word in words if word and word not in GENERIC_WORDS)


class AmbiguousName(Exception):
    pass


class Lookup:
    """Objects found by any of their names (Russian, Kazakh, short) or slug, forgiving case, quotes, generic words."""

    def __init__(self, objects, attributes):
        self.exact, self.loose = defaultdict(set), defaultdict(set)
        for obj in objects:
            for attribute in attributes:
                if value := getattr(obj, attribute, ""):
                    self.exact[normalise(value)].add(obj)
                    self.loose[loosen(normalise(value))].add(obj)

    def find(self, text):
        """Return the one object `text` names, or None; raise AmbiguousName when it names several."""
        key = normalise(text)
        for table, candidate in [(self.exact, key), (self.loose, loosen(key))]:
            found = table.get(candidate)
            if found and len(found) > 1:
                raise AmbiguousName(", ".join(sorted(f"«{obj.name}»" for obj in found)))
            if found:
                return next(iter(found))
        return None


class Registry:
    """The parties and places an import refers to, loaded once per import rather than once per row."""

    @cached_property
    def parties(self):
        return Lookup(Party.objects.all(), ["name", "name_kk", "short_name", "slug"])

    @cached_property
    def regions(self):
        return Lookup(Region.objects.all(), ["name", "name_kk", "short_name", "slug"])

    @cached_property
    def districts(self):
        return self.by_region(District.objects.all())

    @cached_property
    def cities(self):
        return self.by_region(City.objects.all())

    @staticmethod
    def by_region(queryset):
        places = defaultdict(list)
        for place in queryset:
            places[place.region_id].append(place)
        return defaultdict(
            lambda: Lookup([], []), {key: Lookup(value, ["name", "name_kk", "slug"]) for key, value in places.items()}
        )

    def region_of(self, row):
        """Return the row's region, or None when it is missing or unknown (that cell gets its own message)."""
        try:
            return self.regions.find(row.get(REGION)) if cell_text(row.get(REGION)) else None
        except AmbiguousName:
            return None


class RegistryWidget(widgets.Widget):
    """A reference to a party or a place, written as its name."""

    registry = None

    def __init__(self, required=False):
        super().__init__(coerce_to_string=True)
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.required:
                raise ValueError(self.missing_message())
            return None
        lookup = self.lookup(row or {})
        if lookup is None:
            return None
        try:
            found = lookup.find(text)
        except AmbiguousName as error:
            raise ValueError(
                _("«%(text)s» подходит к нескольким: %(names)s. Уточните.") % {"text": text, "names": error}
            ) from None
        if found is None:
            raise ValueError(self.not_found_message(text, row or {}))
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class PartyWidget(RegistryWidget):
    def lookup(self, row):
        return self.registry.parties

    def missing_message(self):
        return _("Укажите партию.")

    def not_found_message(self, text, row):
        return _("Партия «%(text)s» не найдена: укажите её название, краткое название или адрес (slug) из реестра.") % {
            "text": text
        }


class RegionWidget(RegistryWidget):
    def lookup(self, row):
        return self.registry.regions

    def missing_message(self):
        return _("Укажите регион.")

    def not_found_message(self, text, row):
        return _(
            "Регион «%(text)s» не найден: укажите название на русском или казахском языке, сокращение (СКО) "
            "или адрес (slug), например «Северо-Казахстанская область»."
        ) % {"text": text}

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class PlaceWidget(RegistryWidget):
    """A district or city, looked up within the row's region."""

    def lookup(self, row):
        region = self.registry.region_of(row)
        return None if region is None else self.places()[region.pk]

    def not_found_message(self, text, row):
        return self.not_found_template() % {"text": text, "region": self.registry.region_of(row).name}

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class DistrictWidget(PlaceWidget):
    def places(self):
        return self.registry.districts

    def not_found_template(self):
        return _("Район «%(text)s» не найден в регионе «%(region)s».")


class CityWidget(PlaceWidget):
    def places(self):
        return self.registry.cities

    def not_found_template(self):
        return _("Город «%(text)s» не найден в регионе «%(region)s».")


class TextWidget(widgets.CharWidget):
    def __init__(self, required_message=None):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.required_message = required_message

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text and self.required_message:
            raise ValueError(self.required_message)
        return text


class MembersWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = re.sub(r"[\s\u00a0\u202f]", "", cell_text(value))
        if not text:
            raise ValueError(_("Укажите число членов партии: целое число, 0 или больше."))
        if not re.fullmatch(r"[+-]?\d+([.,]0+)?", text):
            raise ValueError(
                _("«%(value)s» — не целое число: укажите число членов цифрами, например 120.") % {"value": text}
            )
        number = int(re.split(r"[.,]", text)[0])
        if number < 0:
            raise ValueError(_("Число членов не может быть отрицательным (%(value)s).") % {"value": number})
        if number > MAX_MEMBERS:
            raise ValueError(_("Слишком большое число членов: %(value)s.") % {"value": number})
        return number

    def render(self, value, obj=None, **kwargs):
        return value if kwargs.get("force_native_type") else ("" if value is None else str(value))


class FoundedWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = cell_text(value)
        if not text:
            return None
        for date_format in DATE_FORMATS:
            try:
                return datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(_("Дата «%(value)s» не распознана: пишите ДД.ММ.ГГГГ, например 01.03.2007.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else value.strftime("%d.%m.%Y")


class ActiveWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = normalise(value)
        if not text or text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(_("«%(value)s» — напишите «да» или «нет».") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return _("да") if value else _("нет")


def column_title(header):
    """Return the standard title for a column header as offices write it, or the header itself."""
    text = cell_text(header)
    by_key = {title.casefold(): title for title in COLUMNS} | COLUMN_ALIASES
    return by_key.get(text.casefold(), text)


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
