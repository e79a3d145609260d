"""Hypothesis strategies for hostile and malformed survey exports (used by tests/test_fuzz.py).

A generated :class:`Case` is a logical table (:class:`Table`), a file layout that turns it into bytes
(CSV with its delimiter, quoting, encoding and line ends; XLSX; JSONL; Parquet), optional damage to
those bytes (NUL bytes, truncation), and the command-line flags a user would pass for it. Everything
is plain data, so a failing example prints as something a person can read and rebuild with
``Case(...)``; :meth:`Case.write` renders it into a folder.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from hypothesis import strategies as st

Cell = Union[str, int, float, bool, None]

# ---------------------------------------------------------------- answer texts

#: Non-answers the pipeline should exclude with a reason (empty, punctuation, "don't know", ...).
NON_ANSWERS = (
    "", " ", "\t", "\n", "-", "--", "...", "?", "x", "xx", "XXX", "eos", "EOS.", "en osaa sanoa", "En osaa sanoa tähän.",
    "ei kommentteja", "Ei mitään lisättävää!", "sama kuin edellä", "kts. edellinen", "-ei-", "nan", "NULL", "None", "N/A",
    "0", "😀", "\u200b", "\u00a0",
)

#: Strings that have broken parsers, spreadsheets and HTML reports elsewhere.
HOSTILE = (
    '=HYPERLINK("http://evil.example/x","klik")',
    "=1+2",
    "=cmd|' /C calc'!A0",
    "+358 40 1234567",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=jo valmiiksi lainattu",
    "<script>alert('x')</script>",
    "<b>lihavoitu</b> &amp; <i>kursiivi</i>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }} {% if %}",
    "Tiedotus \u202ekäänteinen\u202c teksti",  # right-to-left override
    "‏مرحبا بالعالم‎ ja suomeksi",  # Arabic with RTL/LTR marks
    "näky\u200bmätön\u200d väli\u2060",  # zero-width space, joiner, word joiner
    "\ufeffBOM keskellä vastausta",
    "Hyvä 👍🏽 yhteistyö 🇫🇮 👨‍👩‍👧",
    "a\u0301\u0308\u0323 yhdistyvät merkit",
    "NUL\x00merkki keskellä",
    "ohjausmerkit \x01\x02\x07\x08\x0b\x0c\x1b\x1f",
    "DEL \x7f ja C1 \x85 \x9b",
    "rivin\rvaihto\r\nsekaisin\n",
    'lainaus "sisällä" ja ""tuplana""',
    "erotin, pilkku; puolipiste\ttabulaattori|pystyviiva",
    "sähköposti matti.meikalainen@example.fi ja puhelin 040 123 4567",
    "\\N \\x00 %s %d {0} ${HOME}",
    "' OR 1=1 --",
    "𝕱𝖗𝖆𝖐𝖙𝖚𝖗 ja ｆｕｌｌｗｉｄｔｈ",
    "ΑΒΓ кириллица 漢字 한국어",
    "\ud7ff\ue000\uffff reunamerkit",
)

#: Clauses of real-looking Finnish answers on a few topics, so that runs find themes.
FINNISH_CLAUSES = (
    # money and premises
    "avustukset eivät riitä edes tilojen vuokraan",
    "kunnan rahoitus pitäisi sopia useammaksi vuodeksi kerrallaan",
    "toiminta-avustuksia on leikattu joka vuosi",
    "saamme kokoontua kunnan tiloissa maksutta",
    "vapaaehtoiset väsyvät, kun tekijöitä on liian vähän",
    "budjetti on tiukka ja hakemuksia tulee paljon",
    # information flow
    "tieto kunnan päätöksistä tulee meille liian myöhään",
    "tiedotus toimii hyvin sähköpostilistan kautta",
    "verkkosivuilta ei löydä yhteyshenkilöä",
    "kaipaisimme yhteistä tapahtumakalenteria",
    "viestit hukkuvat, koska yhteyshenkilöt vaihtuvat usein",
    "kuulutuksista ei saa selvää, kuka asiasta vastaa",
    # networks and meeting
    "järjestöjen ja kunnan väki tuntee toisensa hyvin",
    "yhteisiä tapaamisia pitäisi järjestää useammin",
    "verkostot ovat hajanaiset ja kontaktit katkeavat",
    "järjestöfoorumi on hyvä paikka tutustua",
    "hyvinvointialueen myötä vanhat yhteydet katosivat",
    # influence and planning
    "järjestöjä kuullaan vasta, kun päätökset on jo tehty",
    "meidät pitäisi ottaa mukaan suunnitteluun alusta asti",
    "kuntalaisraadit ovat olleet hyödyllisiä",
    "lautakunnissa ei tunneta järjestöjen työtä",
    "vaikuttamismahdollisuudet ovat lähinnä muodollisia",
    # services and people
    "ikäihmisten palvelut ovat heikentyneet",
    "nuorille tarvitaan enemmän harrastusmahdollisuuksia",
    "mielenterveyspalveluihin on pitkät jonot",
    "kuljetuspalvelu ei toimi haja-asutusalueella",
    "etäyhteydet ovat helpottaneet osallistumista",
)
CONNECTIVES = (". ", ", ja ", ", mutta ", "; ", " – ", ". Lisäksi ", "\n- ", "! ", " joten ")


@st.composite
def finnish_answer(draw: st.DrawFn) -> str:
    """Return one to four Finnish clauses, joined and capitalized the way people write them."""
    clauses = draw(st.lists(st.sampled_from(FINNISH_CLAUSES), min_size=1, max_size=4))
    text = clauses[0]
    for clause in clauses[1:]:
        text += draw(st.sampled_from(CONNECTIVES)) + clause
    style = draw(st.sampled_from(("sentence", "lower", "upper", "bare")))
    if style == "sentence":
        text = text[0].upper() + text[1:] + "."
    elif style == "upper":
        text = text.upper()
    return text


def long_answer(size: int) -> st.SearchStrategy[str]:
    """Return a strategy for one answer of exactly ``size`` characters (a pasted document, a stuck key)."""
    unit = st.one_of(finnish_answer().map(lambda t: t + " "), st.sampled_from(("a", "ä" * 50, "sana ", "🙂")))
    return unit.map(lambda u: (u * (size // len(u) + 1))[:size])


#: Any Unicode text except surrogates (which no file encoding can hold).
RANDOM_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)

ANSWERS = st.one_of(
    finnish_answer(),
    finnish_answer(),
    finnish_answer(),
    st.sampled_from(NON_ANSWERS),
    st.sampled_from(HOSTILE),
    st.tuples(finnish_answer(), st.sampled_from(HOSTILE)).map(" ".join),
    RANDOM_TEXT,
)

#: Group values: real-looking, hostile, blank, and numbers stored as text.
GROUP_VALUES = st.one_of(
    st.sampled_from(("kunnan viranhaltija", "paikallisyhdistys", "Uusimaa", "Lappi", "Pohjois-Savo", "18–29", "65+", "muu")),
    st.sampled_from(("", " ", "=1+1", "-", "@x", "<i>ryhmä</i>", "\u200b", "👍", "NUL\x00", "nan", "None", "0", "007")),
    RANDOM_TEXT.filter(lambda s: len(s) < 20),
)

# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Table:
    """A survey as a header and rows of cells; rows may be shorter or longer than the header (ragged)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __repr__(self) -> str:
        return f"Table(header={self.header!r}, rows=({''.join(_short_row(r) + ', ' for r in self.rows)}))"


def _short(value: Cell) -> str:
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:30]!r}+...({len(value)} chars)"
    return repr(value)


def _short_row(row: tuple[Cell, ...]) -> str:
    return "(" + "".join(_short(c) + ", " for c in row) + ")"


def _as_text(value: Cell) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------- file layouts


@dataclass(frozen=True)
class CsvLayout:
    """How a table becomes CSV bytes."""

    delimiter: str = ","
    quoting: str = "minimal"  # minimal | all | nonnumeric | none (fields joined as they are, quotes and all)
    line_end: str = "\n"
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252 | latin-1 | utf-16
    suffix: str = ".csv"

    def render(self, table: Table) -> bytes:
        buffer = io.StringIO(newline="")
        if self.quoting == "none":
            for row in (table.header, *table.rows):
                buffer.write(self.delimiter.join(_as_text(c) for c in row) + self.line_end)
        else:
            quoting = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "nonnumeric": csv.QUOTE_NONNUMERIC}[self.quoting]
            writer = csv.writer(buffer, delimiter=self.delimiter, quoting=quoting, lineterminator=self.line_end)
            writer.writerow(table.header)
            for row in table.rows:
                # QUOTE_NONNUMERIC leaves numbers bare, as spreadsheet exports do
                writer.writerow([c if isinstance(c, (int, float)) and quoting == csv.QUOTE_NONNUMERIC else _as_text(c) for c in row])
        # cp1252 and latin-1 cannot hold every character: the lost ones become "?", as a real export would do
        return buffer.getvalue().encode(self.encoding, errors="replace")


@dataclass(frozen=True)
class XlsxLayout:
    """How a table becomes an XLSX workbook."""

    sheet: str = "Sheet1"
    sheet_first: str | None = None  # an extra, unrelated sheet in front of the data
    formulas: bool = False  # True: strings starting with '=' become formulas (without cached values), else text cells
    suffix: str = ".xlsx"

    def render(self, table: Table) -> bytes:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def clean(value: Cell) -> Cell:
            # openpyxl refuses control characters; a real workbook cannot hold them either
            return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

        workbook = Workbook()
        data = workbook.active
        if self.sheet_first is not None:
            data.title = self.sheet_first
            data.append(["muistiinpanot"])
            data = workbook.create_sheet()
        data.title = self.sheet
        for r, row in enumerate((table.header, *table.rows), start=1):
            for c, value in enumerate(row, start=1):
                cell = data.cell(r, c, clean(value))
                if isinstance(value, str) and value.startswith("=") and not self.formulas:
                    cell.data_type = "s"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


@dataclass(frozen=True)
class JsonlLayout:
    """How a table becomes JSON lines: one object per row (repeated keys kept as written), or bare arrays."""

    arrays: bool = False
    suffix: str = ".jsonl"

    def render(self, table: Table) -> bytes:
        lines = []
        for row in table.rows:
            if self.arrays:
                lines.append(json.dumps(list(row), ensure_ascii=False))
                continue
            keys = list(table.header) + [f"extra_{j}" for j in range(len(table.header), len(row))]
            pairs = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in zip(keys, row)]
            lines.append("{" + ", ".join(pairs) + "}")
        return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class ParquetLayout:
    """How a table becomes Parquet: a column of ints stays int64, any other column is text (None is null)."""

    suffix: str = ".parquet"

    def render(self, table: Table) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        width = max([len(table.header), *(len(r) for r in table.rows)])
        names = list(table.header) + [f"extra_{j}" for j in range(len(table.header), width)]
        columns = []
        for j in range(width):
            values = [r[j] if j < len(r) else None for r in table.rows]
            if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
                columns.append(pa.array(values, type=pa.int64()))
            else:
                columns.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_arrays(columns, names=names), buffer)
        return buffer.getvalue()


Layout = Union[CsvLayout, XlsxLayout, JsonlLayout, ParquetLayout]


@dataclass(frozen=True)
class Damage:
    """What happens to the bytes on the way: NUL bytes inserted, the file cut short, a wrong file name suffix."""

    nul_at: tuple[float, ...] = ()  # positions as fractions of the length
    truncate_at: float | None = None
    suffix: str | None = None

    def apply(self, data: bytes) -> bytes:
        for where in sorted(self.nul_at, reverse=True):
            i = int(where * len(data))
            data = data[:i] + b"\x00" + data[i:]
        if self.truncate_at is not None:
            data = data[: int(self.truncate_at * len(data))]
        return data


# ---------------------------------------------------------------- a case: file + flags


@dataclass(frozen=True)
class Case:
    """One fuzz input: a table, its file layout, damage, and the flags of `avovastaus run`."""

    table: Table
    layout: Layout = field(default_factory=CsvLayout)
    damage: Damage = field(default_factory=Damage)
    id: str | None = None
    text: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    sheet: str | None = None
    codebook: bool = False  # True: the default codebook; False: --codebook none

    def write(self, folder: Path) -> Path:
        """Return the path of the survey file rendered into ``folder``."""
        path = Path(folder) / ("kysely" + (self.damage.suffix or self.layout.suffix))
        path.write_bytes(self.damage.apply(self.layout.render(self.table)))
        return path

    def flags(self) -> list[str]:
        """Return the flags naming columns, sheet and codebook (``--flag=value``, so values may start with '-')."""
        out = [] if self.id is None else [f"--id={self.id}"]
        out += [f"--text={t}" for t in self.text] + [f"--group={g}" for g in self.group]
        out += [] if self.sheet is None else [f"--sheet={self.sheet}"]
        return out + ([] if self.codebook else ["--codebook=none"])


# ---------------------------------------------------------------- strategies
#
# Every case is either a well-formed file (hostile only in its content: answers, group values, column
# names) or a hostile file (any header, ragged rows, broken encodings and quoting, damaged bytes, flags
# that miss a column). Shrinking moves towards the well-formed kind, so a minimal example shows
# whether a bug needs a broken file at all.

#: Column names a well-formed export may have: distinct, already stripped, some of them hostile content.
PLAIN_COLUMN_NAMES = (
    "vastaus", "kommentti", "yhteistyo_nyt", "kehittaminen", "ryhmä", "alue", "ikä", "Vastaajaryhmä", "vastaaja_id",
    "=ryhmä()", "+alue", "-x", "@ikä", "<b>alue</b>", "ryhmä 😀", "a,b", "a;b", 'a"b', "1",
)
#: Column names of a hostile export: also blank, padded, BOM-prefixed, repeated, random. Never NUL: a real
#: command line cannot pass one.
COLUMN_NAMES = st.one_of(
    st.sampled_from(PLAIN_COLUMN_NAMES),
    st.sampled_from(("", " ", "vastaus ", "\ufeffvastaus", "Unnamed: 0", "--help", "vastaus.1")),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=12),
)

ID_STYLES = ("row number", "R001", "integer", "formula", "phone", "with repeats", "with blanks")
WELL_FORMED_ID_STYLES = ID_STYLES[:5]


def _id_cell(style: str, i: int) -> Cell:
    return {
        "R001": f"R{i + 1:03d}", "integer": i + 1, "formula": f"=1+{i}", "phone": f"+35840{i:07d}",
        "with repeats": f"R{i // 2}", "with blanks": "" if i % 3 == 1 else f"R{i}",
    }[style]


@st.composite
def tables(draw: st.DrawFn, hostile: bool) -> tuple[Table, str | None, tuple[str, ...], tuple[str, ...]]:
    """Return (table, id column, text columns, group columns) with the roles' columns in a random order."""
    n_text = draw(st.integers(1, 2))
    n_group = draw(st.integers(0, 3))
    n_extra = draw(st.integers(0, 1))
    id_style = draw(st.sampled_from(ID_STYLES if hostile else WELL_FORMED_ID_STYLES))
    roles = (["id"] if id_style != "row number" else []) + ["text"] * n_text + ["group"] * n_group + ["extra"] * n_extra
    roles = draw(st.permutations(roles))
    if hostile:
        names = draw(st.lists(COLUMN_NAMES, min_size=len(roles), max_size=len(roles)))
        n_rows = draw(st.one_of(st.integers(0, 12), st.integers(13, 40)))
    else:
        names = draw(st.lists(st.sampled_from(PLAIN_COLUMN_NAMES), min_size=len(roles), max_size=len(roles), unique=True))
        n_rows = draw(st.integers(8, 40))
    # many small groups: up to one distinct value per row
    pools = [draw(st.lists(GROUP_VALUES, min_size=1, max_size=max(1, n_rows), unique=True)) for _ in range(n_group)]
    # a pasted document in about one table of ten (they cost seconds each)
    long_row = draw(st.one_of(*[st.none()] * 9, st.integers(0, max(0, n_rows - 1))))
    long_size = draw(st.sampled_from((20_000, 100_000)))
    rows = []
    for i in range(n_rows):
        row: list[Cell] = []
        groups = iter(pools)
        first_text = True
        for role in roles:
            if role == "id":
                row.append(_id_cell(id_style, i))
            elif role == "text":
                row.append(draw(long_answer(long_size)) if i == long_row and first_text else draw(ANSWERS))
                first_text = False
            elif role == "group":
                pool = next(groups)
                row.append(pool[draw(st.integers(0, len(pool) - 1))])
            else:
                row.append(draw(st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=True), st.booleans(), RANDOM_TEXT)))
        rows.append(tuple(row))
    ragged = draw(st.lists(st.tuples(st.integers(0, max(0, n_rows - 1)), st.integers(-2, 2)), max_size=2)) if hostile and n_rows else []
    for i, delta in ragged:
        rows[i] = rows[i][:delta] if delta < 0 else rows[i] + ("ylimääräinen",) * delta
    pick = lambda role: tuple(n for n, r in zip(names, roles) if r == role)  # noqa: E731
    ids = pick("id")
    return Table(tuple(names), tuple(rows)), (ids[0] if ids else None), pick("text"), pick("group")


def csv_layouts(hostile: bool) -> st.SearchStrategy[CsvLayout]:
    """Well-formed: a supported delimiter, any quoting and line end, UTF-8 (with or without BOM) or cp1252; hostile: anything."""
    return st.builds(
        CsvLayout,
        delimiter=st.sampled_from((",", ";", "\t") + (("|",) if hostile else ())),
        quoting=st.sampled_from(("minimal", "all", "nonnumeric") + (("none",) if hostile else ())),
        line_end=st.sampled_from(("\n", "\r\n", "\r")),
        encoding=st.sampled_from(("utf-8", "utf-8-sig", "cp1252") + (("latin-1", "utf-16") if hostile else ())),
        suffix=st.sampled_from((".csv", ".tsv", ".txt")),
    )


def layouts(hostile: bool) -> st.SearchStrategy[Layout]:
    """Return the file layouts: CSV twice as often as each of XLSX, JSONL and Parquet."""
    xlsx = st.builds(XlsxLayout, sheet=st.sampled_from(("Sheet1", "Vastaukset", "=A1", "x" * 31)), sheet_first=st.none() | st.just("Ohje"),
                     formulas=st.booleans() if hostile else st.just(False))
    jsonl = st.builds(JsonlLayout, arrays=st.booleans() if hostile else st.just(False))
    return st.one_of(csv_layouts(hostile), csv_layouts(hostile), xlsx, jsonl, st.just(ParquetLayout()))


DAMAGE = st.one_of(
    st.just(Damage()),
    st.builds(Damage, nul_at=st.lists(st.floats(0, 1), min_size=1, max_size=3).map(tuple)),
    st.builds(Damage, truncate_at=st.floats(0, 1)),
    st.builds(Damage, suffix=st.sampled_from((".csv", ".xlsx", ".jsonl", ".parquet", ".json", ""))),
)


def _renamed(name: str) -> st.SearchStrategy[str]:
    """Usually the column as written; sometimes the user's near-miss (case, spaces, a typo)."""
    return st.sampled_from((name,) * 5 + (name.upper(), name.strip(), name + "x"))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Return a survey file spec with the flags a user would pass to `avovastaus run` for it."""
    hostile = draw(st.booleans())
    table, id_column, text, group = draw(tables(hostile))
    layout = draw(layouts(hostile))
    sheet = None
    if isinstance(layout, XlsxLayout):
        sheet = draw(st.sampled_from((None, layout.sheet) + (("Puuttuu",) if hostile else ())))
    if hostile:
        named = lambda column: draw(_renamed(column))  # noqa: E731
        guess_text = not draw(st.integers(0, 9))  # leave out --text: the text column is guessed
    else:
        named, guess_text = (lambda column: column), False
    return Case(
        table=table,
        layout=layout,
        damage=draw(DAMAGE) if hostile else Damage(),
        id=None if id_column is None else named(id_column),
        text=() if guess_text else tuple(named(t) for t in text),
        group=tuple(named(g) for g in group),
        sheet=sheet,
        codebook=draw(st.booleans()),
    )
