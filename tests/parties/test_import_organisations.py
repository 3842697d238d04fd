import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parties.models import PrimaryOrganisation
from tests.parties.factories import NKO_SLUG, PartyFactory, PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/parties/primaryorganisation/import/"
PROCESS_URL = "/admin/parties/primaryorganisation/process_import/"
EXPORT_URL = "/admin/parties/primaryorganisation/export/"

HEADER = ["Партия", "Регион", "Район", "Город", "Название", "Председатель", "Членов", "Дата создания", "Действует"]
# Party and places written the different ways offices write them: short name, full name, slug; СКО; no «район».
ROWS = [
    ["AMANAT", "Северо-Казахстанская область", "", "Петропавловск", "ППО при ТОО «Агро, Север»", "Айгуль Касымова",
     "120", "01.03.2007", "да"],
    ["Партия «AMANAT»", "СКО", "Айыртауский район", "", "ППО села Саумалколь", "Сергей Петренко", "85", "", "да"],
    ["amanat", "severo-kazakhstanskaya-oblast", "Кызылжарский", "", "ППО села Бишкуль", "Марат Искаков", "1 040",
     "2010-05-15", "нет"],
]  # fmt: skip


@pytest.fixture
def amanat(db):
    return PartyFactory(amanat=True)


def csv_bytes(rows, delimiter=";", encoding="utf-8", header=HEADER):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="organisations.csv"):
    return client.post(IMPORT_URL, {"resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, content)})


def confirm(client, preview):
    return client.post(PROCESS_URL, {**preview.context["confirm_form"].initial, "confirm": "1"}, follow=True)


def import_file(client, content, name="organisations.csv"):
    preview = upload(client, content, name)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, preview.content.decode()
    response = confirm(client, preview)
    assert response.status_code == 200
    return preview, response


def assert_rows_imported(party):
    organisations = {
        organisation.name: organisation
        for organisation in PrimaryOrganisation.objects.select_related("region", "district", "city")
    }
    assert set(organisations) == {"ППО при ТОО «Агро, Север»", "ППО села Саумалколь", "ППО села Бишкуль"}
    agro = organisations["ППО при ТОО «Агро, Север»"]
    assert (agro.party, agro.region.slug, agro.city.slug, agro.district) == (party, NKO_SLUG, "petropavlovsk", None)
    assert (agro.leader, agro.members_count, agro.founded_on, agro.is_active) == (
        "Айгуль Касымова",
        120,
        date(2007, 3, 1),
        True,
    )
    saumalkol = organisations["ППО села Саумалколь"]
    assert (saumalkol.district.slug, saumalkol.city, saumalkol.founded_on) == ("ayyrtauskiy-rayon", None, None)
    bishkul = organisations["ППО села Бишкуль"]
    assert (bishkul.district.slug, bishkul.members_count, bishkul.founded_on, bishkul.is_active) == (
        "kyzylzharskiy-rayon",
        1040,
        date(2010, 5, 15),
        False,
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8", ";"),
        ("utf-8-sig", ";"),
        ("utf-8-sig", ","),
        ("cp1251", ";"),
        ("cp1251", ","),
        ("utf-16", "\t"),  # Excel's «Unicode text»
    ],
)
def test_csv_in_any_encoding_and_separator_is_previewed_then_imported(moderator_client, amanat, encoding, delimiter):
    preview, response = import_file(moderator_client, csv_bytes(ROWS, delimiter, encoding))
    assert "Новых организаций: 3, изменится: 0, без изменений: 0." in preview.content.decode()
    assert "ППО села Саумалколь" in preview.content.decode()
    assert "Импорт завершен: 3 новых" in response.content.decode()
    assert_rows_imported(amanat)


def test_confirmation_finds_the_upload_in_a_shared_cache(moderator_client, amanat, settings, tmp_path):
    # With Redis (or any shared cache) the confirming request may reach another server than the preview.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": tmp_path / "cache"}
    }
    import_file(moderator_client, csv_bytes(ROWS))
    assert_rows_imported(amanat)


def test_a_second_click_on_confirm_imports_nothing_twice(moderator_client, amanat):
    preview, _ = import_file(moderator_client, csv_bytes(ROWS))
    response = confirm(moderator_client, preview)
    assert "Файл для импорта больше недоступен: загрузите его снова." in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 3


def test_preview_alone_saves_nothing(moderator_client, amanat):
    upload(moderator_client, csv_bytes(ROWS))
    assert PrimaryOrganisation.objects.count() == 0


def test_xlsx_with_numbers_dates_and_booleans_as_excel_stores_them(moderator_client, amanat):
    rows = [
        ["AMANAT", "Северо-Казахстанская область", None, "Петропавловск", "ППО при ТОО «Агро, Север»",
         "Айгуль Касымова", 120, datetime(2007, 3, 1), True],
        ["AMANAT", "Солтүстік Қазақстан облысы", "Айыртау ауданы", None, "ППО села Саумалколь", "Сергей Петренко",
         85.0, None, "да"],
        ["AMANAT", "СКО", "Қызылжар ауданы", None, "ППО села Бишкуль", "Марат Искаков", 1040, "15.05.2010", False],
        [None, None, None, None, None, None, None, None, None],
    ]  # fmt: skip
    import_file(moderator_client, xlsx_bytes(rows), name="ppo.xlsx")
    assert_rows_imported(amanat)


def test_a_bad_row_imports_nothing_and_every_bad_row_is_named_with_its_reason(moderator_client, amanat):
    rows = [
        ROWS[0],
        ["AMANAT", "Северо-Казахская обл", "", "", "ППО № 2", "", "10", "", ""],
        ["AMANAT", "СКО", "", "", "ППО № 3", "", "-5", "", ""],
        ["AMANAT", "СКО", "Несуществующий район", "", "", "", "двадцать", "31.02.2020", "может быть"],
        ["Партия зелёных", "СКО", "", "", "ППО № 5", "", "5", "", ""],
    ]
    preview = upload(moderator_client, csv_bytes(rows, ";", "cp1251"))
    content = preview.content.decode()
    assert preview.context.get("confirm_form") is None
    assert "Файл не импортирован" in content
    assert "Строка 2" not in content
    assert "Строка 3</strong>: «Регион» — Регион «Северо-Казахская обл» не найден" in content
    assert "Строка 4</strong>: «Членов» — Число членов не может быть отрицательным (-5)." in content
    assert "Строка 5</strong>" in content
    for reason in [
        "«Район» — Район «Несуществующий район» не найден в регионе «Северо-Казахстанская область».",
        "«Название» — Укажите название организации.",
        "«Членов» — «двадцать» — не целое число",
        "«Дата создания» — Дата «31.02.2020» не распознана",
        "«Действует» — «может быть» — напишите «да» или «нет».",
    ]:
        assert reason in content
    assert "Строка 6</strong>: «Партия» — Партия «Партия зелёных» не найдена" in content
    assert PrimaryOrganisation.objects.count() == 0


def test_a_hand_made_confirmation_of_a_bad_file_imports_nothing(moderator_client, amanat):
    preview = upload(moderator_client, csv_bytes([ROWS[0], ["AMANAT", "Нигде", "", "", "ППО № 2", "", "1", "", ""]]))
    stored = preview.context["form"].cleaned_data["import_file"].tmp_storage_name
    response = moderator_client.post(
        PROCESS_URL,
        {"import_file_name": stored, "original_file_name": "organisations.csv", "format": "0", "resource": "0"},
        follow=True,
    )
    assert "Ничего не импортировано" in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 0


def test_a_row_that_turns_bad_between_preview_and_confirmation_imports_nothing(moderator_client, amanat):
    other = PartyFactory(name="Партия «Ақ жол»", short_name="Ақ жол", slug="ak-zhol")
    rows = [ROWS[0], ["Ақ жол", "СКО", "", "", "ППО № 2", "", "12", "", ""]]
    preview = upload(moderator_client, csv_bytes(rows))
    other.delete()
    response = confirm(moderator_client, preview)
    assert "Ничего не импортировано" in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 0


def test_blank_lines_are_skipped_and_do_not_shift_row_numbers(moderator_client, amanat):
    rows = [ROWS[0], ["", "", "", "", "", "", "", "", ""], ["AMANAT", "СКО", "", "", "ППО № 4", "", "много", "", ""]]
    content = upload(moderator_client, csv_bytes(rows)).content.decode()
    assert "Строка 4</strong>: «Членов» — «много» — не целое число" in content
    assert "Строка 3" not in content


def test_the_same_organisation_twice_in_one_file_is_named(moderator_client, amanat):
    content = upload(moderator_client, csv_bytes([ROWS[1], ROWS[0], ROWS[1]])).content.decode()
    assert "Строка 4</strong>: «Название» — Та же организация (партия, регион и название), что в строке 2." in content
    assert PrimaryOrganisation.objects.count() == 0


def test_missing_columns_are_named(moderator_client, amanat):
    header = ["Партия", "Название", "Председатель"]
    content = upload(moderator_client, csv_bytes([["AMANAT", "ППО № 1", "Иванов"]], header=header)).content.decode()
    assert "В файле нет обязательных столбцов: «Регион», «Членов»." in content
    assert "Traceback" not in content
    assert PrimaryOrganisation.objects.count() == 0


def test_column_titles_are_matched_whatever_their_case_and_common_variants(moderator_client, amanat):
    header = ["партия", "ОБЛАСТЬ", "Район", "Город", "Наименование", "Председатель ППО", "Число членов"]
    import_file(moderator_client, csv_bytes([["AMANAT", "СКО", "", "", "ППО № 1", "Иванов", "7"]], header=header))
    assert PrimaryOrganisation.objects.get().members_count == 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Старый формат Excel (.xls) не поддерживается"),
        (b"PK\x03\x04 not really a workbook", "Файл Excel повреждён"),
        ("Партия;Регион;Название;Членов\r\n".encode(), "В файле нет строк с данными"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(moderator_client, amanat, content, message):
    response = upload(moderator_client, content)
    assert message in response.content.decode()
    assert response.context.get("confirm_form") is None


def test_importing_the_same_file_twice_updates_instead_of_duplicating(moderator_client, amanat):
    import_file(moderator_client, csv_bytes(ROWS))
    first_ids = set(PrimaryOrganisation.objects.values_list("pk", flat=True))

    preview, _ = import_file(moderator_client, csv_bytes(ROWS))
    assert "Новых организаций: 0, изменится: 0, без изменений: 3." in preview.content.decode()

    changed = [ROWS[0], ROWS[1], [*ROWS[2][:6], "1 100", *ROWS[2][7:]]]
    preview, _ = import_file(moderator_client, csv_bytes(changed, ",", "cp1251"))
    assert "Новых организаций: 0, изменится: 1, без изменений: 2." in preview.content.decode()

    assert set(PrimaryOrganisation.objects.values_list("pk", flat=True)) == first_ids
    assert PrimaryOrganisation.objects.get(name="ППО села Бишкуль").members_count == 1100


def snapshot():
    fields = ["party__slug", "region__slug", "district__slug", "city__slug", "name", "leader", "members_count"]
    return sorted(PrimaryOrganisation.objects.values_list(*fields, "founded_on", "is_active"), key=str)


def export(client, format_index):
    form = client.get(EXPORT_URL).context["form"]
    fields = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(EXPORT_URL, {"format": str(format_index), "resource": "0", **fields})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("format_index", "file_name"), [(0, "export.csv"), (1, "export.xlsx")])
def test_export_round_trip_recreates_the_same_registry(moderator_client, amanat, format_index, file_name):
    from regions.models import City, District

    petropavl = City.objects.get(slug="petropavlovsk")
    PrimaryOrganisationFactory(party=amanat, city=petropavl, name="ППО «Север»; №1", founded_on=date(2007, 3, 1))
    PrimaryOrganisationFactory(
        party=amanat, district=District.objects.get(slug="ayyrtauskiy-rayon"), members_count=0, is_active=False
    )
    PrimaryOrganisationFactory(party=PartyFactory(), leader="", members_count=12_345)
    before = snapshot()

    exported = export(moderator_client, format_index).content
    if format_index == 0:
        assert exported.startswith("\ufeffПартия;Регион;Район;Город;Название".encode())
    PrimaryOrganisation.objects.all().delete()
    import_file(moderator_client, exported, name=file_name)

    assert snapshot() == before


def test_journalist_can_export_but_not_import(client, journalist, amanat):
    PrimaryOrganisationFactory(party=amanat)
    client.force_login(journalist)
    assert export(client, 0).content.decode("utf-8-sig").startswith("Партия;")
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, csv_bytes(ROWS)).status_code == 403
    assert PrimaryOrganisation.objects.count() == 1
