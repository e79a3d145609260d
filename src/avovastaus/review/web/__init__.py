"""The review web app: server-rendered Flask pages over one run directory and its decision journal.

* :mod:`.app` — the application factory, request checks and the server;
* :mod:`.context` — what every page and action shares (the run, the reviewer, the words);
* :mod:`.views` (GET pages) and :mod:`.actions` (POST decisions) — blueprints;
* :mod:`.text` — the app's words in Finnish and English; :mod:`.security` — the server's defences.
"""
