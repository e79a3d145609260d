"""Write ``kysely.sav`` from ``kysely.csv``: the bundled labelled SPSS survey (value labels, variable labels, user-missing codes).

Run from the checkout: ``.venv/bin/python corpora/kyselysav/build.py`` (``--check`` compares the committed
``kysely.sav`` with what this script makes of ``kysely.csv`` and exits 1 when they differ).

ReadStat stamps the time of writing into the SPSS header; this script writes a fixed stamp there instead, so
the same CSV always gives the same bytes.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pyreadstat

HERE = Path(__file__).resolve().parent
CSV = HERE / "kysely.csv"
SAV = HERE / "kysely.sav"

FILE_LABEL = "Kunta ja järjestöt nuorten palveluissa (synteettinen kysely)"  # at most 64 bytes
#: variable labels: for the open questions, the question's wording
VARIABLE_LABELS = {
    "vastaaja": "Vastaajan tunnus",
    "ryhma": "Vastaajaryhmä",
    "ika": "Vastaajan ikä (vuotta)",
    "paino": "Asetelmapaino: ryhmän osuus perusjoukosta / osuus vastaajista",
    "yhteistyo": "Miten kunnan ja järjestöjen yhteistyö nuorten palveluissa toimii tällä hetkellä?",
    "kehitys": "Mitä kunnan pitäisi tehdä, jotta yhteistyö nuorten hyväksi paranisi? Voit luetella useita asioita.",
}
VALUE_LABELS = {
    "ryhma": {1.0: "Kunnan työntekijä", 2.0: "Järjestön työntekijä", 3.0: "Järjestön vapaaehtoinen tai luottamushenkilö", 9.0: "Ei halua sanoa"},
    "ika": {999.0: "Ei halua sanoa"},
}
#: SPSS user-missing codes: a reader that honours them (avovastaus does) sees these cells as missing
MISSING = {"ryhma": [9.0], "ika": [999.0]}
MEASURE = {"vastaaja": "nominal", "ryhma": "nominal", "ika": "scale", "paino": "scale", "yhteistyo": "nominal", "kehitys": "nominal"}
NUMERIC = ("ryhma", "ika", "paino")
#: the header's creation date (9 bytes) and time (8 bytes), at byte 92 of an SPSS system file
STAMP_AT, STAMP = 92, b"01 Jan 2600:00:00"


def survey() -> pd.DataFrame:
    """Return kysely.csv as the .sav holds it: the id and the answers as text, the codes, age and weight as numbers."""
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in NUMERIC:
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


def write(path: Path) -> None:
    """Write the survey as an SPSS system file at ``path``, with the fixed header stamp."""
    pyreadstat.write_sav(survey(), str(path), file_label=FILE_LABEL, column_labels=VARIABLE_LABELS, variable_value_labels=VALUE_LABELS,
                         missing_ranges=MISSING, variable_measure=MEASURE)
    data = bytearray(path.read_bytes())
    if not (data.startswith(b"$FL2") and re.fullmatch(rb"\d\d [A-Z][a-z]{2} \d\d\d\d:\d\d:\d\d", bytes(data[STAMP_AT:STAMP_AT + len(STAMP)]))):
        raise SystemExit(f"{path}: not the SPSS header layout this script knows; the time stamp was left as written")
    data[STAMP_AT:STAMP_AT + len(STAMP)] = STAMP
    path.write_bytes(bytes(data))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    # a check writes nothing beside the corpus; a build writes beside the target, so the swap is one rename
    with tempfile.TemporaryDirectory(dir=None if check else HERE) as tmp:
        fresh = Path(tmp) / SAV.name
        write(fresh)
        if check:
            same = SAV.is_file() and SAV.read_bytes() == fresh.read_bytes()
            print(f"{SAV.name} {'matches' if same else 'differs from'} {CSV.name}")
            return 0 if same else 1
        fresh.replace(SAV)
    print(f"wrote {SAV}")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
