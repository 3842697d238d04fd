"""Read the tables regional offices send (CSV in any encoding, Excel .xlsx) within caps; write them formula-free."""

import csv
import io
import re
import zipfile

import tablib
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import CSV, Format

DELIMITERS = ";,\t"
XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A workbook may unpack to this many times the size cap: 20 000 rows of the registry unpack to 13 MB, while
# a zip bomb unpacks to thousands of times its size.
MAX_UNZIPPED_RATIO = 10
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


def megabytes(size):
    return number_format(round(size / 1024 / 1024, 1), decimal_pos=1, force_grouping=True)


def check_size(size):
    """Refuse a file of `size` bytes over NEWSROOM_IMPORT_MAX_MB."""
    if size > settings.NEWSROOM_IMPORT_MAX_MB * 1024 * 1024:
        raise UnreadableFile(
            _("Файл слишком большой: %(size)s МБ, а можно не больше %(max)s МБ. Разделите таблицу на несколько файлов.")
            % {"size": megabytes(size), "max": settings.NEWSROOM_IMPORT_MAX_MB}
        )


def within_caps(rows):
    """Return the rows as lists, refusing at the first row past NEWSROOM_IMPORT_MAX_ROWS or _MAX_COLUMNS."""
    max_rows, max_columns = settings.NEWSROOM_IMPORT_MAX_ROWS, settings.NEWSROOM_IMPORT_MAX_COLUMNS
    table = []
    for line, row in enumerate(rows, start=1):
        if line > max_rows + 1:
            raise UnreadableFile(
                _(
                    "В таблице больше %(max)s строк. Разделите её на несколько файлов, а если данных меньше — "
                    "удалите лишние строки под таблицей, в том числе пустые, но отформатированные."
                )
                % {"max": number_format(max_rows, force_grouping=True)}
            )
        if len(row) > max_columns:
            raise UnreadableFile(
                _(
                    "В строке %(line)s больше %(max)s столбцов. Оставьте столбцы реестра и удалите лишние справа "
                    "от таблицы, в том числе пустые, но отформатированные."
                )
                % {"line": line, "max": max_columns}
            )
        table.append(list(row))
    return table


def read_csv(data):
    """Return the rows of a CSV file, whatever its encoding and separator."""
    text = decode(data)
    return within_caps(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))


def check_unzipped_size(data):
    """Refuse a workbook whose parts unpack to more than MAX_UNZIPPED_RATIO times the size cap (a zip bomb).

    The sizes are those the zip's central directory declares: nothing is unpacked to read them, and
    unpacking stops with an error where a part turns out longer than declared.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(_("Файл Excel повреждён или защищён паролем: откройте его и сохраните заново.")) from error
    limit = settings.NEWSROOM_IMPORT_MAX_MB * MAX_UNZIPPED_RATIO * 1024 * 1024
    if size > limit:
        raise UnreadableFile(
            _(
                "Файл Excel распаковывается в %(size)s МБ, а можно не больше %(max)s МБ: так много места обычная "
                "таблица не занимает. Откройте файл, сохраните его заново как «Книга Excel (.xlsx)» или CSV; "
                "если таблица действительно такая большая, разделите её на несколько файлов."
            )
            % {"size": megabytes(size), "max": number_format(limit // 1024 // 1024, force_grouping=True)}
        )


def read_xlsx(data):
    """Return the rows of the first sheet of an Excel workbook, with the cells' own types (numbers, dates)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    check_unzipped_size(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl
        raise UnreadableFile(_("Файл Excel повреждён или защищён паролем: откройте его и сохраните заново.")) from error
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared size, read from its first lines, refuses a far-away cell before any row is read.
        max_rows, max_columns = settings.NEWSROOM_IMPORT_MAX_ROWS, settings.NEWSROOM_IMPORT_MAX_COLUMNS
        if (sheet.max_row or 0) > max_rows + 1 or (sheet.max_column or 0) > max_columns:
            raise UnreadableFile(
                _(
                    "Лист Excel занимает ячейки до %(cell)s, а можно не больше %(rows)s строк и %(columns)s "
                    "столбцов. Удалите лишние строки под таблицей и столбцы справа от неё, в том числе пустые, "
                    "но отформатированные, или разделите таблицу на несколько файлов."
                )
                % {
                    "cell": f"{get_column_letter(sheet.max_column)}{sheet.max_row}",
                    "rows": number_format(max_rows, force_grouping=True),
                    "columns": max_columns,
                }
            )
        # A declared size may be wrong: without it, rows are as long as their cells and are counted as they come.
        sheet.reset_dimensions()
        return within_caps(sheet.iter_rows(values_only=True))
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
        check_size(len(data))
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
