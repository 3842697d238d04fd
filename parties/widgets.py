"""How each spreadsheet column reads into a field and is written back, with a clear message per problem."""

import re
from datetime import date, datetime

from django.utils.translation import gettext as _
from import_export import widgets

from parties.columns import cell_text
from parties.lookup import AmbiguousName, normalise

TRUE_WORDS = {"да", "д", "+", "1", "true", "yes", "y", "действует", "активна", "иә", "ия"}
FALSE_WORDS = {"нет", "н", "-", "0", "false", "no", "n", "не действует", "неактивна", "жоқ"}
DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"]
MAX_MEMBERS = 2_147_483_647


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
