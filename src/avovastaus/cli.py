"""The ``avovastaus`` command line: a thin typer layer; each command calls one library function."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Iterator, Optional

import click
import typer

from avovastaus import __version__
from avovastaus.errors import AvovastausError, os_fault
from avovastaus.evaluate import METRIC_KEYS

# click's plain help: real defaults, no "<bool>"/"<list[str]>" type placeholders (every value option names its metavar)
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help="Finnish open survey answers into reviewed, quantified themes.")
models_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Build and list the bundled embedding models.")
app.add_typer(models_app, name="models")


def _fail(error: AvovastausError, status: int = 2) -> None:
    typer.secho(str(error), fg="red", err=True)
    raise typer.Exit(status)


_options = {"debug": False}  # set by the top-level callback


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn every failure into one coded line: exit 2 for the user's input or environment, 1 for a bug (traceback in a log file)."""
    try:
        yield
    except AvovastausError as error:
        _fail(error)
    except (typer.Exit, click.exceptions.ClickException, click.exceptions.Abort):
        raise
    except KeyboardInterrupt:
        typer.secho("Interrupted; nothing was written.", fg="red", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if _options["debug"]:
            raise
        fault = os_fault(exc) if isinstance(exc, OSError) else None
        if fault is not None:
            _fail(fault)
        _fail(AvovastausError("E900", detail=f"{type(exc).__name__}: {str(exc)[:200]}", log=_log_traceback()), status=1)


def _stop_cleanly_on_signals() -> None:
    """Make SIGTERM and SIGHUP unwind like Ctrl+C, so a stopped run removes its temporary folder."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)


def _log_traceback() -> str:
    """Write the current traceback to a log file in the cache folder; returns its path (or a note when that fails)."""
    import datetime
    import traceback

    from avovastaus.embed.cache import default_cache_dir

    try:
        folder = default_cache_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"error-{datetime.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
        path.write_text(f"avovastaus {__version__}\n{' '.join(sys.argv)}\n\n{traceback.format_exc()}", encoding="utf-8")
        return str(path)
    except OSError:
        return "(the log could not be written; use --debug)"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"avovastaus {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what each stage does."),
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an internal error (instead of a log file)."),
) -> None:
    _options["debug"] = debug
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


class _Bars:
    """Progress bars per pipeline stage (rich); silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None):
        if self.quiet:
            yield lambda n=1: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = [TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, transient=False, console=None) as bar:
            task = bar.add_task(name, total=total)
            yield lambda n=1: bar.advance(task, n)
            bar.update(task, completed=total if total is not None else 1, total=total if total is not None else 1)

    def message(self, text: str) -> None:
        if not self.quiet:
            typer.echo(text, err=True)


@app.command()
def run(
    input: Path = typer.Argument(..., metavar="INPUT", help="Survey export: .csv/.tsv, .xlsx, .jsonl, .parquet, SPSS (.sav/.zsav/.por) or Stata (.dta)."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", show_default="the built-in configs/default.toml", help="TOML config."),
    codebook: Optional[list[str]] = typer.Option(
        None, "--codebook", metavar="FILE|none|COLUMN=FILE", show_default="the built-in kuntajarjesto codebook, made for municipality-NGO surveys",
        help="Codebook YAML or REFI-QDA .qdc (from NVivo, ATLAS.ti, MAXQDA), or 'none' for pure discovery (themes found from the answers alone); COLUMN=FILE or COLUMN=none for one "
             "question only (repeat for several)."),
    out: Optional[Path] = typer.Option(None, "--out", metavar="DIR", show_default="runs/<input stem>", help="Run directory."),
    id: Optional[str] = typer.Option(None, "--id", metavar="COLUMN", show_default="the data row number", help="Respondent id column."),
    text: Optional[list[str]] = typer.Option(None, "--text", metavar="COLUMN", show_default="a column named text/vastaus/answer", help="Open-question column; repeat for several questions."),
    group: Optional[list[str]] = typer.Option(None, "--group", metavar="COLUMN", show_default="none", help="Respondent-group column; repeat for several."),
    weight: Optional[str] = typer.Option(None, "--weight", metavar="COLUMN", show_default="none (unweighted)",
                                         help="Design-weight column: every share, interval and test is weighted (unweighted counts kept beside)."),
    sheet: Optional[str] = typer.Option(None, "--sheet", metavar="NAME", show_default="the first sheet", help="XLSX sheet name."),
    header_row: Optional[int] = typer.Option(None, "--header-row", metavar="N", min=1, show_default="1",
                                             help="The row (1 = the first) that holds the column names, for exports with title rows above them."),
    embedder: Optional[str] = typer.Option(None, "--embedder", metavar="NAME", show_default="e5-small", help="e5-small, static-fi, or a sentence-transformers folder/name."),
    fast: bool = typer.Option(False, "--fast", help="Preset: the static-fi embedder (about 200x faster, weaker themes)."),
    n_themes: Optional[int] = typer.Option(None, "--n-themes", metavar="N", min=2, show_default="found from the data", help="Fix the number of discovered themes."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N", show_default="0", help="Random seed."),
    stability: Optional[int] = typer.Option(None, "--stability", metavar="N", min=0, show_default="0 (off)", help="Rerun clustering N times on resampled answers; adds a stability column."),
    review_from: Optional[Path] = typer.Option(None, "--review-from", metavar="RUN_DIR", help="Apply the evaluator decisions of an earlier run directory."),
    force: bool = typer.Option(False, "--force", help="Replace an existing, non-empty run directory."),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="Analyse a file with malformed rows without them (they are counted and listed in the manifest and report)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS", help="Embed on the workers of this running Dask scheduler (tcp://host:8786)."),
) -> None:
    """Find themes in a survey export and summarize them per respondent group."""
    from avovastaus.config import load_config
    from avovastaus.pipeline import run_pipeline

    overrides: dict = {"ingest": {}, "embed": {}, "cluster": {}}
    if id is not None:
        overrides["ingest"]["id"] = id
    if text:
        overrides["ingest"]["text"] = text
    if group:
        overrides["ingest"]["group"] = group
    if weight is not None:
        overrides["ingest"]["weight"] = weight
    if sheet is not None:
        overrides["ingest"]["sheet"] = sheet
    if header_row is not None:
        overrides["ingest"]["header_row"] = header_row
    if skip_bad_rows:
        overrides["ingest"]["skip_bad_rows"] = True
    if fast:
        overrides["embed"]["model"] = "static-fi"
    if embedder is not None:
        overrides["embed"]["model"] = embedder
    if n_themes is not None:
        overrides["cluster"]["n_themes"] = n_themes
    if seed is not None:
        overrides["seed"] = seed
    if stability is not None:
        overrides["stability"] = {"runs": stability}
    for value in codebook or []:
        column, equals, path = value.partition("=")
        if equals and column and not Path(value).exists():  # COLUMN=FILE: this question's own codebook
            overrides.setdefault("questions", {})[column] = {"codebook": path}
        else:
            overrides["codebook"] = value
    if review_from is not None:
        overrides["review_from"] = str(review_from)
    if dask is not None:
        from avovastaus.embed.distributed import check_address

        with _errors():
            overrides["compute"] = {"dask": check_address(dask)}  # an empty or malformed address is refused, never run locally in silence
    _stop_cleanly_on_signals()
    with _errors():
        cfg = load_config(config, overrides)
        bars = _Bars(quiet)
        result = run_pipeline(input, cfg, out or Path("runs") / input.stem, force=force, progress=bars)
    typer.echo(result.summary())


@app.command("eval")
def eval_(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A run directory written by `avovastaus run`."),
    gold: Path = typer.Option(..., "--gold", metavar="FILE", help="Gold labels (CSV/XLSX/JSONL/Parquet), joined on id (and question when both have one)."),
    id: str = typer.Option("id", "--id", metavar="COLUMN", help="Id column of the gold file."),
    label: str = typer.Option("label", "--label", metavar="COLUMN", help="Label column of the gold file."),
    nonanswer_label: str = typer.Option("ei_sisaltoa", "--nonanswer-label", metavar="LABEL", help="Gold label that marks a non-answer."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (keys: " + ", ".join(METRIC_KEYS) + ")."),
) -> None:
    """Compare a run with gold labels.

    ari, nmi and v_measure use each analysed answer's primary theme; answers left without a theme
    count as one extra "unassigned" cluster; answers whose gold label is the non-answer label are
    left out of them. coverage is the share of analysed answers with a theme. codebook_accuracy and
    codebook_macro_f1 score the primary theme over answers whose gold label is a codebook theme id
    (null when there are none). nonanswer_precision/recall compare the run's exclusions with the
    gold non-answer label (null when the gold has none). dup_lemma_topics is the share of themes
    whose top-10 keywords hold two surface forms of one lemma.
    """
    from avovastaus.evaluate import evaluate

    with _errors():
        result = evaluate(run_dir, gold, id, label, nonanswer_label)
    if as_json:
        typer.echo(result.to_json())
        if result.join_note:
            typer.echo(f"note: {result.join_note}", err=True)
        if result.gold_ids_missing_from_run:
            typer.echo(f"warning: {len(result.gold_ids_missing_from_run)} gold ids are not in the run", err=True)
    else:
        typer.echo(result.table())


@app.command()
def report(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A run directory written by `avovastaus run`."),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="fi|en", show_default="the run's report.lang", help="Language of the reports."),
    no_review: bool = typer.Option(False, "--no-review", help="Only regenerate the model's own reports; do not read the review journal."),
) -> None:
    """Regenerate report.html, report.md and summary.xlsx from a run directory (nothing is recomputed).

    When evaluators have made decisions (review.sqlite), they are applied and the reviewed result is
    written to RUN_DIR/reviewed/: answers.csv (reviewed themes beside the model's model_theme, verdict,
    reviewer, notes), themes.csv, groups.csv (recomputed), the three reports and codebook.yaml (the
    reviewed themes as a codebook for `run --codebook`: the frame, not the decisions, which
    `run --review-from RUN_DIR` carries). Nothing is embedded again.
    """
    from avovastaus.io.rundir import load_run
    from avovastaus.report.write import write_reports
    from avovastaus.review.export import REVIEWED_DIR, carry_note, write_reviewed
    from avovastaus.review.journal import JOURNAL_FILE, Journal

    if lang not in (None, "fi", "en"):
        raise typer.BadParameter("--lang must be fi or en")
    _stop_cleanly_on_signals()
    with _errors():
        reviewed = not no_review and (run_dir / JOURNAL_FILE).is_file() and (run_dir / JOURNAL_FILE).stat().st_size > 0
        if reviewed:
            run = load_run(run_dir)
            Journal(run_dir, run.fingerprint).check()  # a damaged journal, or one of another run, stops here before anything is written
        for path in write_reports(run_dir, lang=lang):
            typer.echo(path)
        if reviewed:
            try:
                paths = write_reviewed(run_dir, lang=lang)  # reads the journal once: every figure of the export is of one moment
            except AvovastausError as error:
                if error.code != "E302":
                    raise
                return  # no decision in force: nothing reviewed to write
            applied = json.loads((run_dir / REVIEWED_DIR / "manifest.json").read_text(encoding="utf-8"))["review"]["applied"]
            typer.echo(f"Reviewed result ({applied} decisions in force):")
            for path in paths:
                typer.echo(path)
            typer.echo(carry_note(run_dir, lang))  # the codebook carries the frame; --review-from carries the decisions


@app.command("export")
def export_(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A run directory written by `avovastaus run`."),
    to: str = typer.Option(..., "--to", metavar="spss|stata|csv|parquet|qdpx|qdc",
                           help="The file format: SPSS .sav, Stata .dta, CSV or Parquet; or REFI-QDA for NVivo, ATLAS.ti and MAXQDA: a project (.qdpx) or the codebook (.qdc)."),
    out: Optional[Path] = typer.Option(None, "--out", metavar="FILE", show_default="RUN_DIR/export.<sav|dta|csv|parquet|qdpx|qdc>", help="The file to write."),
    merge_into: Optional[Path] = typer.Option(None, "--merge-into", metavar="ORIGINAL",
                                              help="Add the theme variables to the rows of this survey file (matched by the run's id column; every row kept)."),
) -> None:
    """Write the themes as variables for statistics packages: one row per respondent, a 0/1 variable per theme and each question's primary theme.

    Variable and value labels go into the .sav/.dta file; a codebook CSV beside the file (FILE.codebook.csv) states every variable.
    """
    from avovastaus.io.export import export_run

    _stop_cleanly_on_signals()
    with _errors():
        result = export_run(run_dir, to.strip().lower(), out, merge_into)
    for line in result.lines():
        typer.echo(line)


@app.command("compare")
def compare_(
    old_run: Path = typer.Argument(..., help="The earlier wave's run directory."),
    new_run: Path = typer.Argument(..., help="The new wave's run directory (same questions; made with --review-from OLD_RUN or the same codebook)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: NEW_RUN/compare)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="fi or en (default: the new run's report.lang)."),
    allow_different_codebooks: bool = typer.Option(False, "--allow-different-codebooks",
                                                   help="Compare waves coded with different codebooks (refused without it); every output says so first."),
) -> None:
    """Compare two survey waves: each theme's share of respondents in both, the change with its interval and a corrected test, per group too."""
    from avovastaus.compare.analysis import compare

    if lang not in (None, "fi", "en"):
        raise typer.BadParameter("--lang must be fi or en")
    _stop_cleanly_on_signals()
    with _errors():
        paths = compare(old_run, new_run, out, lang, allow_different_codebooks)
        warning = json.loads(paths[-1].read_text(encoding="utf-8")).get("warning")
        if warning:
            typer.secho(f"Warning: {warning}; changes in codebook themes may come from the codebooks, not from the answers.", fg="yellow", err=True)
        for path in paths:
            typer.echo(path)


@app.command("effects")
def effects_(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A run directory written by `avovastaus run`."),
    covariate: list[str] = typer.Option(..., "--covariate", metavar="COLUMN",
                                        help="A covariate: a --group column of the run or any column of its survey file; repeat for several (modelled together)."),
    categorical: Optional[list[str]] = typer.Option(None, "--categorical", metavar="COLUMN", help="Treat this covariate as categories even if its values are numbers."),
    reference: Optional[list[str]] = typer.Option(None, "--reference", metavar="COLUMN=LEVEL", show_default="the most common level",
                                                  help="The reference level of a categorical covariate."),
    data: Optional[Path] = typer.Option(None, "--data", metavar="FILE", show_default="the file the run read", help="The survey file to read covariates from."),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="fi|en", show_default="the run's report.lang", help="Language of effects.md and effects.html."),
) -> None:
    """Model each theme's prevalence on several covariates at once: average marginal effects (percentage points) with intervals, BH-adjusted.

    Per question and theme, a logistic regression of theme presence on all covariates (weighted when the
    run is); writes RUN_DIR/effects.csv, effects.md and effects.html (a dot-and-whisker chart per
    covariate) and adds an effects section to the run's reports.
    """
    from avovastaus.report.effects import write_effects
    from avovastaus.report.write import write_reports

    if lang not in (None, "fi", "en"):
        raise typer.BadParameter("--lang must be fi or en")
    references = {}
    for value in reference or []:
        column, equals, level = value.partition("=")
        if not equals or not column:
            raise typer.BadParameter(f"--reference {value!r}: write COLUMN=LEVEL")
        references[column] = level
    _stop_cleanly_on_signals()
    with _errors():
        for path in write_effects(run_dir, covariate, data, categorical or (), references, lang):
            typer.echo(path)
        for path in write_reports(run_dir, lang=lang):
            typer.echo(path)


@app.command()
def review(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A run directory written by `avovastaus run`."),
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS", help="Address to bind; anything but loopback needs --allow-remote."),
    port: int = typer.Option(8765, "--port", metavar="N", help="Port (0 = any free port)."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", metavar="NAME", show_default="each browser is asked for a name on its first visit",
                                           help="Your name in the decision log."),
    lang: str = typer.Option("fi", "--lang", metavar="fi|en", help="Language of the review pages."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a non-loopback --host; the server then prints an access token."),
) -> None:
    """Review themes in the browser: rename, merge, split, move answers, confirm; decisions are saved in the run directory."""
    from avovastaus.review.web.app import serve

    if lang not in ("fi", "en"):
        raise typer.BadParameter("--lang must be fi or en")
    with _errors():
        if not (run_dir / "answers.csv").is_file():
            raise AvovastausError("E302", path=run_dir, detail="answers.csv is missing")
        try:
            serve(run_dir, host=host, port=port, reviewer=reviewer, allow_remote=allow_remote, lang=lang)
        except ValueError as exc:
            raise AvovastausError("E305", detail=str(exc)) from None


@app.command("agreement")
def agreement_(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A reviewed run directory."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows instead of a table."),
    draw: Optional[int] = typer.Option(None, "--draw-check-sample", metavar="N", min=1,
                                       help="Draw N analysed answers at random for the evaluators to code (RUN_DIR/reviewed/check_sample.csv): "
                                            "agreement on them is unbiased, unlike on the answers the least-sure-first queue brings."),
    seed: int = typer.Option(0, "--seed", metavar="N", help="Seed of the check sample's draw."),
    replace: bool = typer.Option(False, "--replace", help="Replace an existing, different check sample."),
) -> None:
    """Agreement (percent, Cohen's kappa, Krippendorff's alpha) between model and evaluators, and between evaluators.

    A figure resting on too few answers (or on one category) is withheld, and each row names its sample:
    the answers evaluators chose, or a random check sample drawn with --draw-check-sample.
    """
    import json
    from dataclasses import asdict

    from avovastaus.review.agreement import agreement, check_sample

    with _errors():
        if not (run_dir / "answers.csv").is_file():
            raise AvovastausError("E302", path=run_dir, detail="answers.csv is missing")
        if draw is not None:
            try:
                drawn = check_sample(run_dir, draw, seed=seed, replace=replace)
            except FileExistsError as exc:
                typer.secho(f"{exc}; pass --replace to draw another sample (decisions on the earlier sample then no longer count as checks)", err=True)
                raise typer.Exit(2) from None
            typer.echo(f"Check sample: {len(drawn.keys)} answers drawn (seed {seed}), listed in {run_dir / 'reviewed' / 'check_sample.csv'}; "
                       "code them in `avovastaus review` (search by id), then run `avovastaus agreement` again.")
            return
        rows = agreement(run_dir)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return
    if not rows:
        typer.echo("No evaluator decisions yet (confirm, mark wrong or move answers in `avovastaus review`).")
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    typer.echo(f"{'pair':<34} {'theme':<20} {'n':>5} {'agree':>7} {'kappa':>7} {'95 % interval':>15} {'alpha':>7}  sample / why no kappa")
    for r in rows:
        interval = "–" if r.kappa_low is None else f"{r.kappa_low:.2f}–{r.kappa_high:.2f}"
        typer.echo(f"{r.pair:<34} {r.theme or 'all':<20} {r.n:>5} {fmt(r.percent):>7} {fmt(r.kappa):>7} {interval:>15} {fmt(r.alpha):>7}  "
                   f"{r.sample}{f' / {r.withheld}' if r.withheld else ''}")


@models_app.command("build")
def models_build(
    names: Optional[list[str]] = typer.Argument(None, metavar="[NAME]...", help="Models to build (default: e5-small and static-fi)."),
    force: bool = typer.Option(False, "--force", help="Rebuild even when built."),
) -> None:
    """Build the bundled models from the installed packages (no download)."""
    from avovastaus.embed.build import BUILT_MODELS, build_model

    _stop_cleanly_on_signals()
    with _errors():
        for name in names or BUILT_MODELS:
            typer.echo(f"{name}: {build_model(name, force=force)}")


@models_app.command("list")
def models_list() -> None:
    """Show the bundled models, whether they are built, their size and checksum."""
    from avovastaus.embed.build import list_models

    for item in list_models():
        if isinstance(item, str):
            typer.echo(f"{item:<10} not built (run: avovastaus models build {item})")
        else:
            typer.echo(f"{item.name:<10} {item.size_bytes / 1e6:6.0f} MB  dim {item.dim}  sha256 {item.checksum[:16]}  from {item.source} {item.source_version}")


@app.command("config")
def config_(
    show: bool = typer.Option(False, "--show", help="Print the config in effect, every key with its value, as TOML."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Show the built-in defaults merged with this TOML config."),
) -> None:
    """Show where the defaults, codebook, models and cache live; with --show, the config in effect as TOML."""
    from avovastaus.config import DEFAULT_CODEBOOK, DEFAULT_CONFIG, show_config
    from avovastaus.embed.build import models_dir
    from avovastaus.embed.cache import default_cache_dir

    with _errors():
        if show or config is not None:
            typer.echo(show_config(config), nl=False)
            return
    for name, path in [("config", DEFAULT_CONFIG), ("codebook", DEFAULT_CODEBOOK), ("models", models_dir()), ("cache", default_cache_dir())]:
        typer.echo(f"{name:<9} {path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
