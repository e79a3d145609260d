"""The review section of the reports: what carried over, what changed structurally, and agreement figures that claim only what they can.

Read from the manifest a reviewed export writes (``review.events``, ``review.moved_answers``,
``review.codebook``, ``review.agreement``); the texts of both languages live here beside the views
that use them (:mod:`avovastaus.report.view` holds the rest of the reports' words).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from avovastaus.io.rundir import Run
from avovastaus.report import formatting as fmt
from avovastaus.report.view import UI

#: the review section's words: structural changes, the reviewed codebook, agreement and its sample
REVIEW_TEXT: dict[str, dict[str, str]] = {
    "fi": {
        "changes": "Arvioinnissa tehdyt rakenteelliset muutokset:", "merge": "yhdistetty: ”{source}” teemaan ”{target}” ({answers})",
        "rename": "nimetty uudelleen: ”{old}” → ”{new}”", "split": "erotettu: teemasta ”{theme}” uusi teema ”{label}” ({answers})",
        "new": "uudet teemat ({n}): {labels}", "more": "… ja {n} muuta muutosta (manifest.json)",
        "moved": "{total} vastauksen pääteema muuttui arvioinnissa: {parts}.", "moved_moved": "{n} siirretty toiseen teemaan",
        "moved_split": "{n} erotettu uuteen teemaan", "moved_merged": "{n} yhdistetyssä teemassa", "moved_other": "{n} muuten (esim. väärä teema poistettu)",
        "ids": "Koodikirjan tunnisteiksi kelpaavat vain a–z, 0–9 ja _, joten codebook.yaml nimeää nämä teemat toisin: {ids}.",
        "left_out": "codebook.yaml jättää pois teemat, joihin ei jäänyt vastauksia eikä omia esimerkkejä: {labels}.",
        "frame": ("Arvioitu koodikirja (codebook.yaml) kantaa teemat esimerkkeineen, ei päätöksiä: uusi ajo sillä luokittelee vastaukset alusta. "
                  "Päätökset vastaus vastaukselta siirtyvät uuteen ajoon valinnalla --review-from."),
        "answers_one": "1 vastaus", "answers_many": "{n} vastausta", "model_vs": "malli vs. {who}", "theme": "teema {who}",
        "check": "malli vs. arvioijat, satunnainen tarkistusotos",
        "kappa": "κ = {kappa} (95 % LV {low}–{high}), n = {n}",
        "too_few": "liian vähän arvioituja vastauksia (n = {n}) luotettavaan lukuun",
        "one_category": "toinen osapuoli antoi kaikille {n} vastaukselle saman luokan, joten κ ei kerro mitään (yhtäpitävyys {percent})",
        "chosen": "otos: arvioijan valitsemat vastaukset (ei satunnaisotos)", "least_sure": ", niistä {share} mallin epävarmimmasta neljänneksestä",
        "drawn": "otos: satunnaisesti arvottu tarkistusotos, arvioitu {n}/{drawn}",
        "left_out_answers": "{n} arvioinnissa tehtyyn teemaan siirrettyä vastausta jätetty pois (malli ei voinut valita niitä)",
        "left_out_answer": "1 arvioinnissa tehtyyn teemaan siirretty vastaus jätetty pois (malli ei voinut valita sitä)",
        "unbiased": ("Luvut koskevat vain arvioijien valitsemia vastauksia, eivät mallia kokonaisuutena: harhaton luku vaatii satunnaisen "
                     "tarkistusotoksen (agreement.check_sample)."),
    },
    "en": {
        "changes": "Structural changes made in the review:", "merge": "merged: “{source}” into “{target}” ({answers})",
        "rename": "renamed: “{old}” → “{new}”", "split": "split: new theme “{label}” from “{theme}” ({answers})",
        "new": "new themes ({n}): {labels}", "more": "… and {n} more changes (manifest.json)",
        "moved": "{total} answers changed their primary theme in the review: {parts}.", "moved_moved": "{n} moved to another theme",
        "moved_split": "{n} split off into a new theme", "moved_merged": "{n} in a merged theme", "moved_other": "{n} otherwise (e.g. a wrong theme dropped)",
        "ids": "A codebook id may hold only a–z, 0–9 and _, so codebook.yaml names these themes differently: {ids}.",
        "left_out": "codebook.yaml leaves out the themes left with no answers and no examples of their own: {labels}.",
        "frame": ("The reviewed codebook (codebook.yaml) carries the themes with their examples, not the decisions: a new run with it codes "
                  "the answers afresh. The decisions, answer by answer, carry to a new run with --review-from."),
        "answers_one": "1 answer", "answers_many": "{n} answers", "model_vs": "model vs {who}", "theme": "theme {who}",
        "check": "model vs evaluators, random check sample",
        "kappa": "κ = {kappa} (95 % CI {low}–{high}), n = {n}",
        "too_few": "too few reviewed answers (n = {n}) for a figure to rely on",
        "one_category": "one side gave all {n} answers the same category, so κ says nothing (agreement {percent})",
        "chosen": "sample: answers the evaluator chose (not a random sample)", "least_sure": ", {share} of them from the model's least sure quarter",
        "drawn": "sample: a random check sample, {n}/{drawn} reviewed",
        "left_out_answers": "{n} answers moved to themes made in the review left out (the model could not choose those)",
        "left_out_answer": "1 answer moved to a theme made in the review left out (the model could not choose it)",
        "unbiased": ("The figures describe only the answers the evaluators chose, not the model as a whole: an unbiased figure needs a random "
                     "check sample (agreement.check_sample)."),
    },
}
#: the most structural changes listed one by one (the rest are counted; all are in manifest.json)
MAX_CHANGE_LINES = 50


class ReviewSection(NamedTuple):
    """The report's review section: title, the sentence on decisions, the structural changes (reviewed runs), a note on the codebook."""

    title: str
    sentence: str
    changes: list[str]
    note: str | None
    changes_title: str


def _answers(n: int, lang: str) -> str:
    """Return ``n`` answers with the right form: ``1 vastaus``, ``3 vastausta``."""
    w = REVIEW_TEXT[lang]
    return w["answers_one"] if n == 1 else w["answers_many"].format(n=fmt.number(n, lang))


def review_lines(run: Run, lang: str) -> ReviewSection | None:
    """Return the report's review section: decisions carried from an earlier run, or this run's own review with its structural changes."""
    review, t = run.manifest.review, UI[lang]
    if review is None:
        return None
    extra = review.model_extra or {}
    if extra.get("reviewed_here"):
        reviewers = ", ".join(extra.get("reviewers") or []) or "–"
        return ReviewSection(t["reviewed_title"], t["reviewed_applied"].format(n=review.applied, reviewers=reviewers), change_lines(run, lang),
                             REVIEW_TEXT[lang]["frame"] if "codebook" in extra else None, REVIEW_TEXT[lang]["changes"])
    return ReviewSection(t["review_title"], t["review_applied"].format(n=review.applied, source=Path(review.source).name), [], None, REVIEW_TEXT[lang]["changes"])


def change_lines(run: Run, lang: str) -> list[str]:
    """Return the reviewed report's lines on the structural changes: merges, renames, splits in order, new themes, answers moved, the codebook's changes."""
    extra = (run.manifest.review.model_extra or {}) if run.manifest.review else {}
    w = REVIEW_TEXT[lang]
    labels = dict(zip(run.themes["theme"], run.themes["label"]))
    lines = []
    events = extra.get("events") or []
    for e in events[:MAX_CHANGE_LINES]:
        if e["kind"] == "merge":
            lines.append(w["merge"].format(source=e["source_label"], target=e["target_label"], answers=_answers(e["answers"], lang)))
        elif e["kind"] == "rename":
            lines.append(w["rename"].format(old=e["old"], new=e["new"]))
        elif e["kind"] == "split":
            lines.append(w["split"].format(theme=e["theme_label"], label=e["label"], answers=_answers(e["answers"], lang)))
    if len(events) > MAX_CHANGE_LINES:
        lines.append(w["more"].format(n=len(events) - MAX_CHANGE_LINES))
    new = [labels.get(e["new_theme"], e["label"]) for e in events if e["kind"] == "split" and e["new_theme"] in labels]
    if new:
        lines.append(w["new"].format(n=len(new), labels=", ".join(f"”{x}”" if lang == "fi" else f"“{x}”" for x in new)))
    moved = extra.get("moved_answers") or {}
    if moved.get("total"):
        parts = [w[f"moved_{k}"].format(n=fmt.number(moved[k], lang)) for k in ("moved", "split", "merged", "other") if moved.get(k)]
        lines.append(w["moved"].format(total=fmt.number(moved["total"], lang), parts=", ".join(parts)))
    codebook = extra.get("codebook") or {}
    if codebook.get("ids"):
        lines.append(w["ids"].format(ids=", ".join(f"{a} → {b}" for a, b in codebook["ids"].items())))
    if codebook.get("left_out"):
        lines.append(w["left_out"].format(labels=", ".join(labels.get(x, x) for x in codebook["left_out"])))
    return lines


def agreement_lines(run: Run, lang: str) -> list[str]:
    """Return the reviewed report's agreement sentences: per evaluator, the random check sample, then per theme.

    Each says what its figure rests on: kappa (95 % interval, n) only where the agreement module gave
    one (else why not), the sample (answers the evaluator chose, or a random check sample), and the
    answers left out because the model could not have chosen their theme.
    """
    review = run.manifest.review
    rows = ((review.model_extra or {}).get("agreement") or []) if review else []
    labels = dict(zip(run.themes["theme"], run.themes["label"]))
    w = REVIEW_TEXT[lang]
    out, checked, chosen = [], False, False
    for r in rows:
        if not r["pair"].startswith("model vs"):
            continue
        withheld = r.get("withheld")
        if r["theme"] and (withheld or r["kappa"] is None):
            continue  # per theme, only the figures there are: the overall row says why there are none
        if r.get("sample") == "check":
            head, checked = w["check"], True
        elif r["theme"]:
            head = w["theme"].format(who=labels.get(r["theme"], r["theme"]))
        else:
            head, chosen = w["model_vs"].format(who=r["pair"].removeprefix("model vs ")), True
        if withheld == "too_few" or (r["kappa"] is None and not withheld):
            figure = w["too_few"].format(n=r["n"])
        elif withheld == "one_category":
            figure = w["one_category"].format(n=r["n"], percent=fmt.percent(r["percent"], lang))
        else:
            low = fmt.number(r["kappa_low"], lang, 2)  # a missing bound prints as a dash
            high = fmt.number(r["kappa_high"], lang, 2)
            figure = w["kappa"].format(kappa=fmt.number(r["kappa"], lang, 2), low=low, high=high, n=r["n"])
        notes = []
        if not r["theme"]:
            if r.get("sample") == "check":
                notes.append(w["drawn"].format(n=r["n"], drawn=r.get("drawn") or r["n"]))
            else:
                share = r.get("least_sure")
                notes.append(w["chosen"] + ("" if share is None else w["least_sure"].format(share=fmt.percent(share, lang))))
            left = r.get("left_out") or 0
            if left:
                notes.append(w["left_out_answer"] if left == 1 else w["left_out_answers"].format(n=left))
        out.append("; ".join([f"{head}: {figure}", *notes]))
    if chosen and not checked:
        out.append(w["unbiased"])
    return out


