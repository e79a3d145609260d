"""The Finnish layer: normalise and segment, non-answers, lemmas and readings (Voikko), compounds, word lists.

* :mod:`.text` — normalisation and segmentation (pure ``str -> ...`` functions);
* :mod:`.nonanswer` — non-answers and their reason codes, by question type;
* :mod:`.lemmas` and :mod:`.readings` — words, lemmas chosen in context, spoken forms, unknown words (libvoikko);
* :mod:`.compounds` — which compounds stay whole and which count toward their head;
* :mod:`.lexicon` — the curated word lists in ``data/`` beside these modules.

Importing this package loads nothing: import the module you need.
"""
