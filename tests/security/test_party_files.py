"""The party registry's files: exports run no formula, uploads are their sender's only, imports have caps."""

import csv
import io
import resource
import secrets
import stat
import struct
import tempfile
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from parties import uploads
from parties.models import PrimaryOrganisation
from tests.factories import UserFactory
from tests.parties.factories import PartyFactory, PrimaryOrganisationFactory
from tests.parties.test_import_organisations import HEADER, PROCESS_URL, ROWS, confirm, csv_bytes, export, upload

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil","x")'
FOREIGN_FILE = "Подтвердить можно только файл, который вы сами загрузили на этой странице"


@pytest.fixture
def amanat(db):
    return PartyFactory(amanat=True)


@pytest.fixture
def other_moderator_client(db):
    user = UserFactory(username="moderator2", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture
def memory_ceiling():
    """Allow the test 1 GB more address space: a reader that builds a whole sheet's grid fails, not the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    ceiling = used + 2**30 if hard == resource.RLIM_INFINITY else min(used + 2**30, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def peak_memory_of(function, *args):
    """Return what `function` returns and the peak of Python memory it allocated, in MB."""
    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def xlsx_bytes(rows, header=HEADER, far_cell=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    if far_cell:
        sheet[far_cell] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(workbook, change):
    """Return a copy of a workbook whose first sheet's XML is written, in pieces, by `change(xml, write)`."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename == "xl/worksheets/sheet1.xml":
                with target.open(part.filename, "w", force_zip64=True) as sheet:
                    change(source.read(part.filename), sheet.write)
            else:
                target.writestr(part, source.read(part.filename))
    return buffer.getvalue()


def declare_unzipped_size(workbook, filename, size):
    """Return a copy of a workbook whose zip directory declares `size` bytes for `filename`, content unchanged."""
    data = bytearray(workbook)
    offset = data.index(b"PK\x05\x06")  # end of the central directory
    entries, start = struct.unpack_from("<H4xI", data, offset + 10)
    for _ in range(entries):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, start + 28)
        if data[start + 46 : start + 46 + name_length].decode() == filename:
            struct.pack_into("<I", data, start + 24, size)
        start += 46 + name_length + extra_length + comment_length
    return bytes(data)


def stored_files(var_dir):
    folder = var_dir / "import-files"
    return sorted(folder.iterdir()) if folder.exists() else []


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


# 1. Exported cells run no formula.


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_exported_csv_cells_cannot_run_as_formulae(moderator_client, amanat, start):
    PrimaryOrganisationFactory(party=amanat, name=FORMULA, leader=f"{start}SUM(1+1)", members_count=120)
    exported = export(moderator_client, 0).content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))
    cells = dict(zip(header, row, strict=True))
    assert cells["Название"] == "'" + FORMULA
    assert cells["Председатель"] == f"'{start}SUM(1+1)"
    assert cells["Членов"] == "120"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_exported_excel_cells_are_inert_text(moderator_client, amanat, start):
    PrimaryOrganisationFactory(party=amanat, name=FORMULA, leader=f"{start}SUM(1+1)", members_count=120)
    sheet = openpyxl.load_workbook(io.BytesIO(export(moderator_client, 1).content)).active
    cells = {title.value: cell for title, cell in zip(sheet[1], sheet[2], strict=True)}
    assert (cells["Название"].data_type, cells["Название"].value) == ("s", "'" + FORMULA)
    # An XML parser reads a carriage return back as a line feed, unless openpyxl wrote it escaped (with lxml).
    leader = f"'{start}SUM(1+1)"
    assert cells["Председатель"].data_type == "s"
    assert cells["Председатель"].value in {leader, leader.replace("\r", "\n")}
    # A number is written as a number: no spreadsheet runs it, and it stays one for sums.
    assert (cells["Членов"].data_type, cells["Членов"].value) == ("n", 120)


def test_plain_numbers_are_not_escaped_but_formulae_made_of_them_are():
    from parties.formats import escape_formula

    assert [escape_formula(value) for value in ["-5", "+7", "-1,5", -5, 0, None, "ППО № 1"]] == [
        "-5",
        "+7",
        "-1,5",
        -5,
        0,
        None,
        "ППО № 1",
    ]
    assert escape_formula("-5+cmd|' /C calc'!A0") == "'-5+cmd|' /C calc'!A0"


@pytest.mark.parametrize(("format_index", "file_name"), [(0, "export.csv"), (1, "export.xlsx")])
def test_escaped_export_imports_back_unchanged(moderator_client, amanat, format_index, file_name):
    PrimaryOrganisationFactory(party=amanat, name=FORMULA, leader="@SUM(1+1)")
    PrimaryOrganisationFactory(party=amanat, name="-ППО «Север»", leader="'Цитата'")
    PrimaryOrganisationFactory(party=amanat, name="'=A1 уже с апострофом", leader="-5")
    before = set(PrimaryOrganisation.objects.values_list("name", "leader"))
    exported = export(moderator_client, format_index).content
    PrimaryOrganisation.objects.all().delete()
    preview = upload(moderator_client, exported, file_name)
    confirm(moderator_client, preview)
    assert set(PrimaryOrganisation.objects.values_list("name", "leader")) == before


# 2. An upload is its sender's only.


def test_another_user_cannot_confirm_an_upload(moderator_client, other_moderator_client, amanat):
    preview = upload(moderator_client, csv_bytes(ROWS))
    hand_made = {**preview.context["confirm_form"].initial, "confirm": "1"}

    refused = other_moderator_client.post(PROCESS_URL, hand_made, follow=True)
    assert any(message.startswith(FOREIGN_FILE) for message in messages_of(refused))
    assert PrimaryOrganisation.objects.count() == 0

    # The refusal neither read nor removed the sender's file: the sender still confirms it.
    response = confirm(moderator_client, preview)
    assert "Импорт завершен: 3 новых" in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 3


@pytest.mark.parametrize("field, value", [("format", "9"), ("format", "x"), ("resource", "7"), ("resource", "x")])
def test_a_hand_made_confirmation_with_a_bad_choice_is_refused_calmly(moderator_client, amanat, field, value):
    preview = upload(moderator_client, csv_bytes(ROWS))
    hand_made = {**preview.context["confirm_form"].initial, "confirm": "1", field: value}
    refused = moderator_client.post(PROCESS_URL, hand_made, follow=True)
    assert refused.status_code == 200
    assert messages_of(refused)
    assert PrimaryOrganisation.objects.count() == 0


@pytest.fixture
def planted_file():
    """A valid registry file outside the uploads, in the system's temporary folder."""
    path = Path(tempfile.gettempdir()) / f"planted-{secrets.token_hex(4)}.csv"
    path.write_bytes(csv_bytes(ROWS))
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "name_of",
    [
        lambda path: str(path),
        lambda path: f"../../../../..{path}",
        lambda path: path.name,
        lambda path: "../../etc/passwd",
    ],
    ids=["absolute", "traversal", "bare-name", "etc-passwd"],
)
def test_a_confirmation_cannot_name_a_file_outside_the_users_uploads(moderator_client, amanat, planted_file, name_of):
    data = {"import_file_name": name_of(planted_file), "original_file_name": "x.csv", "format": "0", "resource": "0"}
    response = moderator_client.post(PROCESS_URL, data, follow=True)
    assert any(message.startswith(FOREIGN_FILE) for message in messages_of(response))
    assert PrimaryOrganisation.objects.count() == 0
    assert planted_file.exists()


def test_a_confirmation_cannot_name_a_file_in_media_root(moderator_client, amanat, settings, media_root):
    # Even where import-export is set to keep its files among the uploads (MEDIA_ROOT).
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
    planted = media_root / "django-import-export" / "registry.csv"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(csv_bytes(ROWS))
    data = {"import_file_name": "registry.csv", "original_file_name": "x.csv", "format": "0", "resource": "0"}
    response = moderator_client.post(PROCESS_URL, data, follow=True)
    assert any(message.startswith(FOREIGN_FILE) for message in messages_of(response))
    assert PrimaryOrganisation.objects.count() == 0
    assert planted.exists()


def test_an_upload_is_kept_privately_under_a_random_name_until_confirmed(moderator_client, amanat):
    from parties.uploads import FolderStorage

    preview = upload(moderator_client, csv_bytes(ROWS), name="organisations.csv")
    other_preview = upload(moderator_client, csv_bytes(ROWS), name="organisations.csv")
    stored = FolderStorage(name=preview.context["confirm_form"].initial["import_file_name"]).path()
    other = FolderStorage(name=other_preview.context["confirm_form"].initial["import_file_name"]).path()
    assert stored != other
    assert len(stored.name) == 32 and "organisations" not in stored.name
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stored.read_bytes() == csv_bytes(ROWS)

    confirm(moderator_client, preview)
    assert not stored.exists()
    assert other.exists()


def test_a_stale_upload_cannot_be_confirmed(moderator_client, amanat):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        preview = upload(moderator_client, csv_bytes(ROWS))
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        response = confirm(moderator_client, preview)
    assert "Файл для импорта больше недоступен: загрузите его снова." in messages_of(response)
    assert PrimaryOrganisation.objects.count() == 0


def test_an_unreadable_upload_is_not_kept(moderator_client, amanat, var_dir):
    response = upload(moderator_client, b"PK\x03\x04 not really a workbook", "ppo.xlsx")
    assert response.context.get("confirm_form") is None
    assert stored_files(var_dir) == []


# 3. Imports have caps, checked before the table is read.


def test_a_file_over_the_size_cap_is_refused_before_it_is_stored(moderator_client, amanat, settings, var_dir):
    settings.NEWSROOM_IMPORT_MAX_MB = 1
    rows = [[*ROWS[0][:4], f"ППО № {number}", "Председатель " * 10, "5", "", "да"] for number in range(6000)]
    content = csv_bytes(rows)
    assert len(content) > 2**20
    response = upload(moderator_client, content)
    assert "Файл слишком большой: 2,1 МБ, а можно не больше 1 МБ." in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert PrimaryOrganisation.objects.count() == 0
    assert stored_files(var_dir) == []


def test_a_csv_with_too_many_rows_is_refused(moderator_client, amanat, settings, var_dir):
    settings.NEWSROOM_IMPORT_MAX_ROWS = 5
    rows = [[*ROWS[0][:4], f"ППО № {number}", "", "5", "", ""] for number in range(6)]
    response = upload(moderator_client, csv_bytes(rows))
    assert "В таблице больше 5 строк." in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert stored_files(var_dir) == []

    import_response = confirm(moderator_client, upload(moderator_client, csv_bytes(rows[:5])))
    assert "Импорт завершен: 5 новых" in import_response.content.decode()


def test_a_csv_with_too_many_columns_is_refused(moderator_client, amanat, settings):
    settings.NEWSROOM_IMPORT_MAX_COLUMNS = 12
    header = [*HEADER, "Примечание 1", "Примечание 2", "Примечание 3", "Примечание 4"]
    response = upload(moderator_client, csv_bytes([[*row, "", "", "", ""] for row in ROWS], header=header))
    assert "В строке 1 больше 12 столбцов." in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert PrimaryOrganisation.objects.count() == 0


def test_an_excel_sheet_with_too_many_rows_is_refused(moderator_client, amanat, settings):
    settings.NEWSROOM_IMPORT_MAX_ROWS = 2
    response = upload(moderator_client, xlsx_bytes(ROWS), name="ppo.xlsx")
    assert "Лист Excel занимает ячейки до I4, а можно не больше 2 строк и 50 столбцов." in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 0


def test_a_far_away_excel_cell_is_refused_from_the_sheets_declared_size(moderator_client, amanat, memory_ceiling):
    workbook = xlsx_bytes(ROWS, far_cell="XFD1048576")
    response, peak = peak_memory_of(upload, moderator_client, workbook, "ppo.xlsx")
    assert "Лист Excel занимает ячейки до XFD1048576, а можно не больше 20\xa0000 строк и 50 столбцов." in (
        response.content.decode()
    )
    assert response.context.get("confirm_form") is None
    assert PrimaryOrganisation.objects.count() == 0
    assert peak < 50


@pytest.mark.parametrize(
    ("far_cell", "message"),
    [("A1048576", "В таблице больше 20\xa0000 строк."), ("XFD3", "В строке 3 больше 50 столбцов.")],
)
def test_a_far_away_excel_cell_behind_a_wrong_declared_size_is_refused_while_reading(
    moderator_client, amanat, memory_ceiling, far_cell, message
):
    def declare_small_size(xml, write):
        start = xml.index(b"<dimension ")
        write(xml[:start] + b'<dimension ref="A1:I4" />' + xml[xml.index(b"/>", start) + 2 :])

    workbook = rewrite_sheet(xlsx_bytes(ROWS, far_cell=far_cell), declare_small_size)

    response, peak = peak_memory_of(upload, moderator_client, workbook, "ppo.xlsx")
    assert message in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 0
    assert peak < 50


def test_a_zip_bomb_is_refused_before_it_is_unpacked(moderator_client, amanat, memory_ceiling, var_dir):
    name = "Айгуль Касымова"
    # openpyxl writes the text as UTF-8, or as character references when lxml is installed.
    forms = [name.encode(), name.encode("ascii", "xmlcharrefreplace")]

    def inflate(xml, write):
        # One cell whose text unpacks to 60 MB from a few dozen kilobytes.
        head, tail = xml.split(next(form for form in forms if form in xml))
        write(head)
        for _ in range(60):
            write(b"x" * 2**20)
        write(tail)

    bomb = rewrite_sheet(xlsx_bytes(ROWS), inflate)
    assert len(bomb) < 2**20
    response, peak = peak_memory_of(upload, moderator_client, bomb, "ppo.xlsx")
    assert "Файл Excel распаковывается в 60,0 МБ, а можно не больше 50 МБ" in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 0
    assert peak < 50
    assert stored_files(var_dir) == []


def test_the_zip_bomb_check_reads_only_the_zip_directory(moderator_client, amanat):
    # The sheet is small and valid; only the directory says it unpacks to 1 GB, so only a check of the directory
    # refuses it.
    workbook = declare_unzipped_size(xlsx_bytes(ROWS), "xl/worksheets/sheet1.xml", 2**30)
    response = upload(moderator_client, workbook, "ppo.xlsx")
    assert "Файл Excel распаковывается в 1\xa0024,0 МБ" in response.content.decode()
    assert PrimaryOrganisation.objects.count() == 0


def test_the_import_page_states_the_caps(moderator_client):
    content = moderator_client.get("/admin/parties/primaryorganisation/import/").content.decode()
    assert "Файл — не больше 5 МБ, 20\xa0000 строк и 50 столбцов" in content


# The export page reads the list's filters from its address.


@pytest.mark.parametrize("query", ["foo=1", "is_active__exact=zz", "members_count__gte=many"])
def test_an_export_with_a_made_up_filter_is_a_bad_request(client, journalist, amanat, query):
    client.force_login(journalist)
    assert client.get(f"/admin/parties/primaryorganisation/export/?{query}").status_code == 400


def test_an_export_with_a_real_filter_still_opens(client, journalist, amanat):
    client.force_login(journalist)
    assert client.get("/admin/parties/primaryorganisation/export/?is_active__exact=1").status_code == 200


def test_a_file_gone_from_the_shared_cache_reads_as_gone():
    storage = uploads.CacheStorage(owner_id=1)
    storage.save(b"name;region\n")
    assert storage.read() == b"name;region\n"
    storage.remove()
    with pytest.raises(uploads.UnreadableFile, match="больше недоступен"):
        uploads.CacheStorage(name=storage.name).read()
