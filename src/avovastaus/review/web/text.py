"""The review app's words: Finnish by default, English with ``--lang en``; decisions as readable sentences; local times.

Everything the evaluator reads goes through :func:`text` (labels of the pages) or :func:`sentence`
(one decision of the journal, with theme labels instead of ids), so the two languages stay complete.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from avovastaus.report.view import UI  # the report's words for reasons: a reason reads the same in the app and the report
from avovastaus.review.journal import Decision
from avovastaus.review.kinds import Kind, handles

T: dict[str, dict[str, str]] = {
    "fi": {
        "app": "avovastaus · arviointi", "question": "Kysymys", "all_questions": "kaikki kysymykset", "themes": "Teemat", "queue": "Epävarmimmat ensin", "search": "Haku", "unassigned": "Ilman teemaa",
        "excluded": "Poissuljetut", "log": "Päätökset ja historia", "reviewer": "Arvioija", "change": "Vaihda",
        "analysed_note": "{n}. Muutokset tallentuvat heti.", "skipped": "Osaa päätöksistä ei voitu soveltaa:",
        "theme": "Teema", "answers": "Vastauksia", "by_group": "Osuus ryhmittäin", "weighted": "painotettu", "edit": "Muokkaa", "new_name": "Uusi nimi",
        "description": "kuvaus", "rename": "Nimeä", "merge_into": "Yhdistä teemaan", "merge": "Yhdistä", "choose_theme": "valitse teema…",
        "unstable": "epävakaa", "stability": "pysyvyys", "keywords": "Avainsanat", "suppressed": "alle {n}",
        "cells_note": "Osuus ryhmän vastaajista (ryhmän n). * = ero muihin vastaajiin merkitsevä (korjattu p < {alpha}); alle {n} vastaajan solut piilotetaan kuten raportissa.",
        "search_answers": "hae vastauksista", "search_all": "Hae kaikista vastauksista tekstin tai tunnisteen mukaan", "do_search": "Hae",
        "page": "sivu {page}/{pages}", "order": "Järjestys", "typical": "tyypillisimmät ensin",
        "atypical": "epätyypillisimmät ensin", "run_order": "aineiston järjestys", "theme_note": "huomio teemasta", "add_theme_note": "Lisää huomio teemaan",
        "split_label": "Erota valitut uudeksi teemaksi:", "new_theme_name": "uuden teeman nimi", "split": "Erota",
        "confirmed": "vahvistettu", "wrong": "väärä teema", "right_theme": "Oikea teema", "wrong_theme": "Väärä teema", "move_to": "Siirrä teemaan",
        "move": "Siirrä", "give_theme": "Anna teema", "note": "huomio", "add_note": "Lisää huomio", "primary": "pääteema", "themes_of": "teemat",
        "no_theme": "ei teemaa", "confidence": "varmuus", "confidence_title": "mallin todennäköisyys vastauksen teemalle",
        "p_none": "ei-teeman todennäköisyys", "p_none_title": "mallin todennäköisyys sille, ettei mikään koodikirjan teema sovi vastaukseen",
        "similarity": "samankaltaisuus", "similarity_title": "vastauksen samankaltaisuus teemaan (vanha ajo: ei todennäköisyyksiä)", "include": "Ota mukaan analyysiin", "reason": "syy", "prev": "← edellinen", "next": "seuraava →",
        "shortcuts": "Pikanäppäimet (Alt + kirjain; Firefoxissa Alt + Shift + kirjain): O oikea teema · V väärä teema · J seuraava vastaus · K edellinen vastaus · N seuraava sivu · P edellinen sivu",
        "keys_help": "Yksi näppäin: numero tai kirjain teeman vieressä = siirrä vastaus teemaan · Enter tai K = teema oikein (kyllä) · 0 = ei mikään koodikirjan teema (→ Ilman teemaa) · U tai ⌫ = peru viimeisin · ↓ tai S = seuraava vastaus · ↑ = edellinen",
        "keymap": "Teemojen näppäimet", "more_often": "merkitsevästi useammin kuin muut vastaajat", "less_often": "merkitsevästi harvemmin kuin muut vastaajat", "other_answers": "Saman vastaajan muut vastaukset", "current": "nykyinen",
        "now_unassigned": "Vastaus on nyt kohdassa Ilman teemaa.", "still_has": "Vastauksella on yhä teema {themes}.",
        "queue_intro": "Arvioimattomat vastaukset, joista malli on epävarmin, ensin. Varmuus = mallin todennäköisyys vastauksen teemalle; vastauksista, joille malli ei antanut teemaa, näytetään ei-teeman todennäköisyys (vanhoissa ajoissa samankaltaisuus).",
        "filter": "Suodata", "all_themes": "kaikki teemat", "all_groups": "kaikki ryhmät", "group": "Ryhmä", "rescore": "Päivitä ehdotukset",
        "rescore_note": "Opettaa mallia tähän asti tehdyillä päätöksillä ja päivittää arvioimattomien vastausten ehdotukset; arvioituja vastauksia se ei koskaan muuta.",
        "move_selected": "Siirrä valitut", "select": "valitse", "export": "Vie arvioidut tulokset",
        "export_note": "Kirjoittaa arvioidut taulukot, raportit ja koodikirjan ajokansion alikansioon reviewed/ (ajoa ei tehdä uudelleen).",
        "downloads": "Lataa", "who_title": "Kuka arvioi?", "who_intro": "Nimesi tallentuu jokaiseen päätökseesi päätöslokiin.", "who_name": "Nimi",
        "start": "Aloita", "confirm_title": "Vahvista", "confirm_merge": "Yhdistetäänkö teema ”{source}” ({n}) teemaan ”{target}”? Teema ”{source}” poistuu; yhdistämisen voi perua historiasta.",
        "confirm_undo": "Perutaanko päätös #{seq}: {sentence}?", "yes_merge": "Yhdistä", "yes_undo": "Peru päätös", "cancel": "Älä tee mitään, palaa takaisin",
        "undo": "Peru", "undone": "peruttu", "when": "Aika", "decision": "Päätös", "error": "Virhe {status}", "back": "Takaisin",
        "conflict": "Joku muu muutti samaa kohdetta sillä välin: {reviewer} ({what}, päätös #{seq}). Päätöstäsi ei tallennettu, jotta hänen muutoksensa ei katoa. Palaa sivulle, katso muutos ja päätä uudelleen.",
        "stale_form": "Lomakkeen suojaustunniste puuttuu tai on vanhentunut (esim. palvelin käynnistettiin uudelleen). Lataa sivu uudelleen ja yritä uudestaan.",
        "need_name": "Kerro ensin nimesi (sivun yläreunassa), jotta päätös voidaan kirjata sinulle.",
        "fit": "Koodikirja", "none_found": "Ei vastauksia.", "done_undo": "Peru tämä", "open_theme": "Avaa uusi teema",
        "excluded_intro": "Vastaukset, jotka säännöt tulkitsivat ei-vastauksiksi. Jos vastaus kuuluu analyysiin, ota se mukaan ja anna sille teema.",
        "unassigned_intro": "Analysoidut vastaukset, joilla ei ole teemaa.", "rows": "{n} kpl",
    },
    "en": {
        "app": "avovastaus · review", "question": "Question", "all_questions": "all questions", "themes": "Themes", "queue": "Least sure first", "search": "Search", "unassigned": "Without a theme",
        "excluded": "Excluded", "log": "Decisions and history", "reviewer": "Evaluator", "change": "Change",
        "analysed_note": "{n}. Changes are saved at once.", "skipped": "Some decisions could not be applied:",
        "theme": "Theme", "answers": "Answers", "by_group": "Share by group", "weighted": "weighted", "edit": "Edit", "new_name": "New name",
        "description": "description", "rename": "Rename", "merge_into": "Merge into", "merge": "Merge", "choose_theme": "choose a theme…",
        "unstable": "unstable", "stability": "stability", "keywords": "Keywords", "suppressed": "under {n}",
        "cells_note": "Share of the group's respondents (group n). * = differs from the other respondents (adjusted p < {alpha}); cells under {n} respondents are hidden as in the report.",
        "search_answers": "search the answers", "search_all": "Search all answers by text or id", "do_search": "Search",
        "page": "page {page}/{pages}", "order": "Order", "typical": "most typical first",
        "atypical": "least typical first", "run_order": "order of the data", "theme_note": "note on the theme", "add_theme_note": "Add a note to the theme",
        "split_label": "Split the selected answers into a new theme:", "new_theme_name": "name of the new theme", "split": "Split",
        "confirmed": "confirmed", "wrong": "wrong theme", "right_theme": "Right theme", "wrong_theme": "Wrong theme", "move_to": "Move to theme",
        "move": "Move", "give_theme": "Give a theme", "note": "note", "add_note": "Add a note", "primary": "primary", "themes_of": "themes",
        "no_theme": "no theme", "confidence": "confidence", "confidence_title": "the model's probability of the answer's theme",
        "p_none": "probability of no theme", "p_none_title": "the model's probability that no codebook theme fits the answer",
        "similarity": "similarity", "similarity_title": "the answer's similarity to the theme (older run: no probabilities)", "include": "Take into the analysis", "reason": "reason", "prev": "← previous", "next": "next →",
        "shortcuts": "Keyboard shortcuts (Alt + letter; in Firefox Alt + Shift + letter): O right theme · V wrong theme · J next answer · K previous answer · N next page · P previous page",
        "keys_help": "One key: the digit or letter beside a theme = move the answer there · Enter or K = the theme is right · 0 = no theme of the codebook (→ Without a theme) · U or ⌫ = undo the last decision · ↓ or S = next answer · ↑ = previous",
        "keymap": "Keys of the themes", "more_often": "significantly more often than the other respondents", "less_often": "significantly less often than the other respondents", "other_answers": "The same respondent's other answers", "current": "current",
        "now_unassigned": "The answer is now under Without a theme.", "still_has": "The answer still has the theme {themes}.",
        "queue_intro": "Unreviewed answers the model is least sure about, first. Confidence = the model's probability of the answer's theme; for answers the model gave no theme, the probability of no theme is shown (in older runs the similarity).",
        "filter": "Filter", "all_themes": "all themes", "all_groups": "all groups", "group": "Group", "rescore": "Update suggestions",
        "rescore_note": "Teaches the model with the decisions made so far and updates the suggestions for unreviewed answers; it never changes a reviewed answer.",
        "move_selected": "Move the selected", "select": "select", "export": "Export the reviewed result",
        "export_note": "Writes the reviewed tables, reports and codebook into the run's reviewed/ folder (nothing is run again).",
        "downloads": "Download", "who_title": "Who is reviewing?", "who_intro": "Your name is stored with each of your decisions in the log.", "who_name": "Name",
        "start": "Start", "confirm_title": "Confirm", "confirm_merge": "Merge the theme “{source}” ({n}) into “{target}”? The theme “{source}” goes away; the merge can be undone from the history.",
        "confirm_undo": "Undo decision #{seq}: {sentence}?", "yes_merge": "Merge", "yes_undo": "Undo the decision", "cancel": "Do nothing, go back",
        "undo": "Undo", "undone": "undone", "when": "Time", "decision": "Decision", "error": "Error {status}", "back": "Back",
        "conflict": "Someone else changed the same thing meanwhile: {reviewer} ({what}, decision #{seq}). Your decision was not saved, so their change is not lost. Go back to the page, look at the change and decide again.",
        "stale_form": "The form's security token is missing or stale (the server may have restarted). Reload the page and try again.",
        "need_name": "Tell your name first (at the top of the page), so the decision can be logged as yours.",
        "fit": "Codebook", "none_found": "No answers.", "done_undo": "Undo this", "open_theme": "Open the new theme",
        "excluded_intro": "Answers the rules read as non-answers. If one belongs in the analysis, take it in and give it a theme.",
        "unassigned_intro": "Analysed answers without a theme.", "rows": "{n}",
    },
}

#: one sentence per decision kind; {who}, theme names in quotes, answer keys as they are
SENTENCES: dict[str, dict[str, str]] = {
    "fi": {
        "lang": "fi", "rename": "{who} nimesi teeman {theme} uudelleen: ”{label}”", "merge": "{who} yhdisti teeman {source} teemaan {target}",
        "split": "{who} erotti teemasta {theme} uuden teeman ”{label}” ({n})", "move": "{who} siirsi vastauksen {answer} teemasta {source} teemaan {to}",
        "move_new": "{who} antoi vastaukselle {answer} teeman {to}", "move_many": "{who} siirsi {n} teemaan {to}",
        "confirmed": "{who} vahvisti vastauksen {answer} teeman {theme}", "wrong": "{who} merkitsi vastauksen {answer} teeman {theme} vääräksi",
        "note_theme": "{who} kirjoitti huomion teemasta {theme}: ”{text}”", "note_answer": "{who} kirjoitti huomion vastauksesta {answer}: ”{text}”",
        "undo": "{who} perui päätöksen #{seq}", "include": "{who} otti vastauksen {answer} mukaan analyysiin",
        "rescore": "{who} päivitti ehdotukset: {n} muuttui", "unreadable": "{who}: päätöstä ei voi soveltaa ({problem})",
    },
    "en": {
        "lang": "en", "rename": "{who} renamed the theme {theme}: “{label}”", "merge": "{who} merged the theme {source} into {target}",
        "split": "{who} split a new theme “{label}” off {theme} ({n})", "move": "{who} moved the answer {answer} from {source} to {to}",
        "move_new": "{who} gave the answer {answer} the theme {to}", "move_many": "{who} moved {n} to {to}",
        "confirmed": "{who} confirmed the theme {theme} of the answer {answer}", "wrong": "{who} marked the theme {theme} of the answer {answer} wrong",
        "note_theme": "{who} wrote a note on the theme {theme}: “{text}”", "note_answer": "{who} wrote a note on the answer {answer}: “{text}”",
        "undo": "{who} undid decision #{seq}", "include": "{who} took the answer {answer} into the analysis",
        "rescore": "{who} updated the suggestions: {n} changed", "unreadable": "{who}: the decision cannot be applied ({problem})",
    },
}


#: nouns after a number: (one, several); Finnish takes the singular partitive after every number but 1
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "fi": {
        "answer": ("vastaus", "vastausta"), "answer_object": ("vastauksen", "vastausta"), "analysed": ("analysoitu vastaus", "analysoitua vastausta"),
        "decision": ("päätös", "päätöstä"), "suggestion": ("ehdotus", "ehdotusta"), "reviewed": ("arvioitu vastaus", "arvioitua vastausta"),
        "reviewed_subject": ("arvioitu vastaus", "arvioitua vastausta"),
    },
    "en": {
        "answer": ("answer", "answers"), "answer_object": ("answer", "answers"), "analysed": ("analysed answer", "analysed answers"),
        "decision": ("decision", "decisions"), "suggestion": ("suggestion", "suggestions"), "reviewed": ("reviewed answer", "reviewed answers"),
        "reviewed_subject": ("reviewed answer", "reviewed answers"),
    },
}

#: each kind of decision as a noun, for the conflict page and the list of decisions that could not be applied
KIND_NAMES: dict[str, dict[str, str]] = {
    "fi": {
        Kind.RENAME: "nimeäminen", Kind.MERGE: "yhdistäminen", Kind.SPLIT: "erottaminen", Kind.MOVE: "siirto", Kind.VERDICT: "arvio",
        Kind.NOTE: "huomio", Kind.UNDO: "peruminen", Kind.MOVE_MANY: "usean vastauksen siirto", Kind.INCLUDE: "mukaan ottaminen",
        Kind.RESCORE: "ehdotusten päivitys",
    },
    "en": {
        Kind.RENAME: "rename", Kind.MERGE: "merge", Kind.SPLIT: "split", Kind.MOVE: "move", Kind.VERDICT: "verdict", Kind.NOTE: "note",
        Kind.UNDO: "undo", Kind.MOVE_MANY: "move of several answers", Kind.INCLUDE: "inclusion", Kind.RESCORE: "updated suggestions",
    },
}

#: reason codes of non-answers the report's words (``report.view.UI``) may not name
REASONS: dict[str, dict[str, str]] = {
    "fi": {"nothing": "ei sisältöä", "yesno": "pelkkä kyllä tai ei"},
    "en": {"nothing": "no content", "yesno": "a bare yes or no"},
}

#: the messages of refused requests, one language at a time (:class:`~.security.BadRequest` names one by its key)
ERRORS: dict[str, dict[str, str]] = {
    "fi": {
        "missing_field": "Lomakkeesta puuttuu kenttä ”{name}”.", "too_long": "Kenttä ”{name}” on yli {limit} merkkiä pitkä.",
        "whole_number": "Kentän ”{name}” pitää olla kokonaisluku väliltä {low}–{high}.",
        "unknown_theme": "Tuntematon teema ”{value}”.", "unknown_answer": "Tuntematon vastaus ”{value}”.",
        "unknown_kind": "Tuntematon päätös ”{value}”.", "unknown_target": "Tuntematon huomion kohde ”{value}”.",
        "unknown_question": "Tuntematon kysymys ”{value}”.", "unknown_order": "Tuntematon järjestys ”{value}”.", "unknown_group": "Tuntematon ryhmä ”{value}”.",
        "no_such_theme": "Teemaa ”{value}” ei ole.", "merged_into": "Teemaa ”{value}” ei ole enää: se yhdistettiin teemaan ”{label}”.",
        "no_such_file": "Tiedostoa ”{value}” ei ole.", "not_excluded": "Vastaus ”{value}” ei ole poissuljettujen joukossa.",
        "merge_same": "Valitse toinen teema, johon yhdistetään.", "split_none": "Valitse ensin ainakin yksi tämän teeman vastaus.",
        "move_none": "Valitse ensin siirrettävät vastaukset.", "bad_verdict": "Arvio on joko ”vahvistettu” tai ”väärä teema”.",
        "no_base": "Lomake ei kerro, mihin versioon se perustui. Lataa sivu uudelleen.", "undo_seq": "Peruminen tarvitsee päätöksen numeron.",
        "no_decision": "Päätöstä #{seq} ei ole.", "long_search": "Haku on yli {limit} merkkiä pitkä.",
        "host": "Tämä arviointipalvelin ei vastaa tuolla nimellä. Avaa se osoitteesta, jonka se tulosti käynnistyessään.",
        "foreign": "Lomake lähetettiin toiselta sivustolta, joten se hylättiin. Avaa arviointisivut suoraan ja yritä uudelleen.",
        "token": "Tämä arviointipalvelin tarvitsee pääsytunnisteen, jonka se tulosti käynnistyessään (avaa tulostettu osoite kerran).",
        "server": "Palvelimella tapahtui virhe; mitään ei tallennettu. Virhe on palvelimen lokissa.",
        "http_404": "Sivua ei ole.", "http_405": "Tätä osoitetta ei voi käyttää näin.", "http_413": "Lomake on liian suuri.",
        "http": "Pyyntöä ei voitu käsitellä.",
    },
    "en": {
        "missing_field": "The form is missing the field '{name}'.", "too_long": "The field '{name}' is longer than {limit} characters.",
        "whole_number": "The field '{name}' must be a whole number from {low} to {high}.",
        "unknown_theme": "Unknown theme '{value}'.", "unknown_answer": "Unknown answer '{value}'.",
        "unknown_kind": "Unknown decision '{value}'.", "unknown_target": "Unknown note target '{value}'.",
        "unknown_question": "Unknown question '{value}'.", "unknown_order": "Unknown order '{value}'.", "unknown_group": "Unknown group '{value}'.",
        "no_such_theme": "There is no theme '{value}'.", "merged_into": "The theme '{value}' is gone: it was merged into “{label}”.",
        "no_such_file": "There is no file '{value}'.", "not_excluded": "The answer '{value}' is not among the excluded ones.",
        "merge_same": "Choose another theme to merge into.", "split_none": "Select at least one answer of this theme to split off.",
        "move_none": "Select the answers to move first.", "bad_verdict": "A verdict is 'confirmed' or 'wrong'.",
        "no_base": "The form does not say which version it was based on. Reload the page.", "undo_seq": "Undo needs the decision number.",
        "no_decision": "There is no decision #{seq}.", "long_search": "The search is longer than {limit} characters.",
        "host": "This review server does not answer to that host name. Open it at the address it printed when it started.",
        "foreign": "This form was sent from another site, so it was refused. Open the review pages directly and try again.",
        "token": "This review server needs the access token printed when it started (open the printed address once).",
        "server": "Something went wrong on the server; nothing was saved. The error is in the server's log.",
        "http_404": "There is no such page.", "http_405": "This address cannot be used that way.", "http_413": "The form is too large.",
        "http": "The request could not be handled.",
    },
}


def count(n: int, noun: str, lang: str = "fi") -> str:
    """Return ``n`` with its noun in the right number: ``1 vastaus``, ``2 vastausta``; ``1 answer``, ``2 answers``."""
    one, several = NOUNS.get(lang, NOUNS["fi"])[noun]
    return f"{n} {one if n == 1 else several}"


def error_text(key: str, values: Mapping[str, Any], lang: str = "fi") -> str:
    """Return the message of a refused request in ``lang`` (the key itself when it names no message)."""
    template = ERRORS.get(lang, ERRORS["fi"]).get(key)
    return template.format(**values) if template else key


def kind_name(kind: str, lang: str = "fi") -> str:
    """Return a kind of decision as a noun of ``lang`` (its code when this version does not know it)."""
    return KIND_NAMES.get(lang, KIND_NAMES["fi"]).get(kind, kind)  # type: ignore[call-overload]


def reason_name(code: str, lang: str = "fi") -> str:
    """Return the reason code of a non-answer as words of ``lang``: the report's words, then the app's own, then the code."""
    return UI.get(lang, UI["fi"]).get(code) or REASONS.get(lang, REASONS["fi"]).get(code) or code.replace("_", " ")


def text(lang: str) -> dict[str, str]:
    """Return the page words of ``lang`` (Finnish for anything else)."""
    return T.get(lang, T["fi"])


def sentence(d: Decision, names: Mapping[str, str], lang: str = "fi") -> str:
    """Return one decision as a sentence, themes named by ``names`` (id -> label, ids kept when unknown)."""
    s = SENTENCES.get(lang, SENTENCES["fi"])
    p = d.payload
    if d.problem:
        return s["unreadable"].format(who=d.reviewer, problem=d.problem)

    def name(theme: Any) -> str:
        return f"”{names.get(theme, theme)}”" if lang == "fi" else f"“{names.get(theme, theme)}”"

    say = SAY.get(d.kind)  # type: ignore[call-overload]
    return say(s, d.reviewer, p, name) if say else s["unreadable"].format(who=d.reviewer, problem=d.kind)


def _move(s: Mapping[str, str], who: str, p: dict[str, Any], name: Callable[[Any], str]) -> str:
    return s["move" if p.get("from") else "move_new"].format(who=who, answer=p["answer"], source=name(p.get("from")), to=name(p["to"]))


def _note(s: Mapping[str, str], who: str, p: dict[str, Any], name: Callable[[Any], str]) -> str:
    target = p["target"]
    if target.startswith("theme:"):
        return s["note_theme"].format(who=who, theme=name(target[6:]), text=p["text"])
    return s["note_answer"].format(who=who, answer=target.partition(":")[2], text=p["text"])


#: each kind as a sentence: (words, reviewer, payload, theme namer) -> text
SAY = handles("app sentences", {
    Kind.RENAME: lambda s, who, p, name: s["rename"].format(who=who, theme=name(p["theme"]), label=p["label"]),
    Kind.MERGE: lambda s, who, p, name: s["merge"].format(who=who, source=name(p["source"]), target=name(p["target"])),
    Kind.SPLIT: lambda s, who, p, name: s["split"].format(who=who, theme=name(p["theme"]), label=p["label"], n=count(len(p["answers"]), "answer", s["lang"])),
    Kind.MOVE: _move,
    Kind.MOVE_MANY: lambda s, who, p, name: s["move_many"].format(who=who, n=count(len(p["answers"]), "answer_object", s["lang"]), to=name(p["to"])),
    Kind.VERDICT: lambda s, who, p, name: s[p["verdict"]].format(who=who, answer=p["answer"], theme=name(p["theme"])),
    Kind.NOTE: _note,
    Kind.UNDO: lambda s, who, p, name: s["undo"].format(who=who, seq=p["seq"]),
    Kind.INCLUDE: lambda s, who, p, name: s["include"].format(who=who, answer=p["answer"]),
    Kind.RESCORE: lambda s, who, p, name: s["rescore"].format(who=who, n=count(len(p["themes"]), "suggestion", s["lang"])),
})


def labels_before(decisions: list[Decision], model_labels: Mapping[str, str], active: set[int]) -> dict[int, str]:
    """Return each rename's theme label as it was just before it (decision number -> label), following the renames and splits in force."""
    labels, before = dict(model_labels), {}
    for d in decisions:
        if d.problem:
            continue
        if d.kind == Kind.RENAME:
            before[d.seq] = labels.get(d.payload["theme"], d.payload["theme"])
            if d.seq in active:
                labels[d.payload["theme"]] = d.payload["label"]
        elif d.kind == Kind.SPLIT and d.seq in active:
            labels[d.payload["new_theme"]] = d.payload["label"]
    return before


def local_time(at: str, lang: str = "fi") -> str:
    """Return a stored UTC time (ISO 8601) in this computer's time zone: ``12.3.2026 klo 14.05`` or ``2026-03-12 14:05``."""
    try:
        moment = datetime.fromisoformat(at).astimezone()
    except (TypeError, ValueError):
        return at
    if lang == "fi":
        return f"{moment.day}.{moment.month}.{moment.year} klo {moment:%H.%M}"
    return f"{moment:%Y-%m-%d %H:%M}"
