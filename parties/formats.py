"""Read the tables regional offices send (CSV in any encoding and separator, Excel .xlsx); write them formula-free."""

import csv
import io
import re

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import CSV, Format

DELIMITERS = ";,\t"
XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Text starting with these is a formula to a spreadsheet (OWASP, "CSV injection"); a plain number is not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


class UnreadableFile(ValueError):
    """A file that cannot be read as a table; the message tells the sender what to do."""


def decode(data):
    """Decode CSV bytes as UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251."""
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _("Не удалось определить кодировку файла: сохраните его как CSV в UTF-8 или Windows-1251.")
        ) from error


def sniff_delimiter(text):
    """Return the separator of a CSV text: «;», «,» or a tab."""
    header = text.split("\n", 1)[0]
    sample = text[:8192]
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    if delimiter and delimiter in header:
        return delimiter
    # Column titles never contain a separator, so the header line settles what the sniffer could not.
    return max(DELIMITERS, key=header.count)


def read_csv(data):
    """Return the rows of a CSV file, whatever its encoding and separator."""
    text = decode(data)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))


def read_xlsx(data):
    """Return the rows of the first sheet of an Excel workbook, with the cells' own types (numbers, dates)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl
        raise UnreadableFile(_("Файл Excel повреждён или защищён паролем: откройте его и сохраните заново.")) from error
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def header_text(value):
    return " ".join(str(value).split()) if value is not None else ""


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def escape_formula(value):
    """Return a text cell that a spreadsheet would run as a formula with a leading «'»; other cells as they are."""
    # Text already behind apostrophes gets one more, so that unescape_formula gives back exactly what was stored.
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_formula(value):
    """Return a cell escaped by escape_formula as it was, so that an exported file imports unchanged."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


def escape_formulae(dataset):
    """Escape, in place, every cell of an exported dataset that a spreadsheet would run as a formula."""
    for index, row in enumerate(dataset):
        dataset[index] = [escape_formula(value) for value in row]


def to_dataset(rows):
    """Build a dataset from rows headed by column titles, keeping blank rows so that row numbers match the file."""
    if not rows or all(is_blank(value) for value in rows[0]):
        raise UnreadableFile(_("В первой строке файла должны быть заголовки столбцов, а она пуста."))
    headers = [header_text(value) for value in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    if len(set(headers)) != len(headers):
        repeated = sorted({title for title in headers if headers.count(title) > 1})
        raise UnreadableFile(
            _("Столбцы с одинаковыми заголовками: %(titles)s. Оставьте по одному.")
            % {"titles": ", ".join(f"«{title}»" for title in repeated)}
        )
    dataset = tablib.Dataset(headers=headers)
    for line, row in enumerate(rows[1:], start=2):
        if any(not is_blank(value) for value in row[len(headers) :]):
            raise UnreadableFile(
                _(
                    "Строка %(line)s: значений больше, чем столбцов в заголовке. Возможно, в тексте есть "
                    "разделитель (точка с запятой или запятая) — заключите такой текст в кавычки."
                )
                % {"line": line}
            )
        row = [unescape_formula(value) for value in row[: len(headers)]]
        dataset.append(row + [None] * (len(headers) - len(row)))
    if not any(any(not is_blank(value) for value in row) for row in dataset):
        raise UnreadableFile(_("В файле нет строк с данными: только заголовки."))
    return dataset


class SpreadsheetFormat(Format):
    """CSV or Excel .xlsx, told apart by the file's content, so that nobody has to choose a format or encoding."""

    title = gettext_lazy("CSV или Excel (.xlsx)")

    def __init__(self, encoding=None):
        # The admin passes its fixed encoding here; it is ignored because each file's own is detected.
        self.encoding = encoding

    def get_title(self):
        return self.title

    def create_dataset(self, in_stream):
        if in_stream is None:
            raise UnreadableFile(_("Файл для импорта больше недоступен: загрузите его снова."))
        data = in_stream.encode() if isinstance(in_stream, str) else bytes(in_stream)
        if data.startswith(XLSX_SIGNATURE):
            return to_dataset(read_xlsx(data))
        if data.startswith(XLS_SIGNATURE):
            raise UnreadableFile(
                _("Старый формат Excel (.xls) не поддерживается: сохраните файл как «Книга Excel (.xlsx)» или CSV.")
            )
        return to_dataset(read_csv(data))

    def is_binary(self):
        # Bytes reach create_dataset undecoded: the encoding is detected there, not fixed in advance.
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "csv"

    def can_import(self):
        return True


class ExcelCSV(CSV):
    """CSV that Excel opens with Cyrillic intact: UTF-8 with a BOM, separated by «;» like Russian-locale Excel."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, delimiter=";", **kwargs)
