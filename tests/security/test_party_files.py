"""The party registry's files: exports run no formula, uploads are their sender's only."""

import csv
import io
import secrets
import stat
import tempfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from parties.models import PrimaryOrganisation
from tests.factories import UserFactory
from tests.parties.factories import PartyFactory, PrimaryOrganisationFactory
from tests.parties.test_import_organisations import PROCESS_URL, ROWS, confirm, csv_bytes, export, upload

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil","x")'
FOREIGN_FILE = "Подтвердить можно только файл, который вы сами загрузили на этой странице"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Uploads waiting for confirmation go to a folder of each test's own."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def amanat(db):
    return PartyFactory(amanat=True)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def other_moderator_client(db):
    user = UserFactory(username="moderator2", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    other = Client()
    other.force_login(user)
    return other


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
    # XML reads a carriage return back as a line feed.
    leader = f"'{start}SUM(1+1)".replace("\r", "\n")
    assert (cells["Председатель"].data_type, cells["Председатель"].value) == ("s", leader)
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
