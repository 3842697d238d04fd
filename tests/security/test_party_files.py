"""The party registry's files: exports run no formula."""

import csv
import io

import openpyxl
import pytest

from parties.models import PrimaryOrganisation
from tests.parties.factories import PartyFactory, PrimaryOrganisationFactory
from tests.parties.test_import_organisations import confirm, export, upload

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil","x")'


@pytest.fixture
def amanat(db):
    return PartyFactory(amanat=True)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


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
