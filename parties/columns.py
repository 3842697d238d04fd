"""The columns of an organisation spreadsheet: their titles, the other titles offices give them, a cell as text."""

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


def cell_text(value):
    """Return a cell as text with single spaces; whole floats (as Excel stores numbers) lose their «.0»."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def column_title(header):
    """Return the standard title for a column header as offices write it, or the header itself."""
    text = cell_text(header)
    by_key = {title.casefold(): title for title in COLUMNS} | COLUMN_ALIASES
    return by_key.get(text.casefold(), text)
