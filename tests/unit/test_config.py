"""Unit tests for avovastaus.config: typed config and codebook, strict keys with dotted paths."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from avovastaus import config as config_module
from avovastaus.config import DEFAULT_CODEBOOK, DEFAULT_CONFIG, PACKAGE_DIR, Codebook, Config, dump_toml, load_codebook, load_config, resolve_path, show_config
from avovastaus.errors import AvovastausError

# ---------------------------------------------------------------- config


def test_defaults_are_valid() -> None:
    config = load_config()
    assert isinstance(config, Config)
    assert config.seed == 0
    assert config.embed.model == "e5-small"
    assert config.cluster.n_themes is None
    assert 0 <= config.cluster.max_unassigned <= 1
    assert config.summarize.correction in {"holm", "bh"}
    assert config.summarize.min_cell >= 1
    assert config.report.lang in {"fi", "en"}


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"sed": 1}, "sed"),
        ({"cluster": {"n_themse": 3}}, "cluster -> n_themse"),
        ({"summarize": {"min_cel": 3}}, "summarize -> min_cel"),
        ({"ingest": {"texts": ["q1"]}}, "ingest -> texts"),
    ],
)
def test_unknown_key_names_its_path(overrides: dict, path: str) -> None:
    with pytest.raises(AvovastausError) as info:
        load_config(overrides=overrides)
    err = info.value
    assert err.code == "E002"
    assert f"[{path}] unknown key" in err.message


def test_every_bad_key_is_listed() -> None:
    with pytest.raises(AvovastausError) as info:
        load_config(overrides={"cluster": {"n_themse": 3}, "label": {"n_keyword": 5}})
    assert "cluster -> n_themse" in info.value.message
    assert "label -> n_keyword" in info.value.message


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"cluster": {"n_neighbors": "many"}}, "cluster -> n_neighbors"),
        ({"cluster": {"n_themes": 1}}, "cluster -> n_themes"),  # ge=2
        ({"cluster": {"max_unassigned": 1.5}}, "cluster -> max_unassigned"),
        ({"summarize": {"correction": "bonferroni"}}, "summarize -> correction"),
        ({"report": {"lang": "sv"}}, "report -> lang"),
        ({"embed": {"batch_size": 0}}, "embed -> batch_size"),
        ({"seed": "zero"}, "seed"),
        ({"cluster": "yes"}, "cluster"),
    ],
)
def test_wrong_type_or_range_is_E002(overrides: dict, path: str) -> None:
    with pytest.raises(AvovastausError) as info:
        load_config(overrides=overrides)
    assert info.value.code == "E002"
    assert f"[{path}]" in info.value.message


def test_toml_file_overrides_defaults_and_overrides_win(tmp_path: Path) -> None:
    toml = tmp_path / "oma.toml"
    toml.write_text('seed = 7\n[cluster]\nn_themes = 12\n[summarize]\ncorrection = "holm"\n', encoding="utf-8")
    config = load_config(toml)
    assert config.seed == 7
    assert config.cluster.n_themes == 12
    assert config.summarize.correction == "holm"
    assert config.cluster.n_neighbors == Config().cluster.n_neighbors  # untouched keys keep defaults
    config = load_config(toml, overrides={"cluster": {"n_themes": 5}})
    assert config.cluster.n_themes == 5
    assert config.seed == 7


def test_error_in_toml_file_names_that_file(tmp_path: Path) -> None:
    toml = tmp_path / "oma.toml"
    toml.write_text("[cluster]\nn_themse = 3\n", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_config(toml)
    assert info.value.code == "E002"
    assert str(toml) in info.value.message
    assert "cluster -> n_themse" in info.value.message


@pytest.mark.parametrize("value", ["none", "None", "NONE", "", "  none  "])
def test_codebook_none_string_becomes_None(tmp_path: Path, value: str) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text(f'codebook = "{value}"\n', encoding="utf-8")
    assert load_config(toml).codebook is None


def test_codebook_path_is_kept() -> None:
    assert load_config(overrides={"codebook": "oma.yaml"}).codebook == "oma.yaml"


def test_missing_config_file_is_E001(tmp_path: Path) -> None:
    with pytest.raises(AvovastausError) as info:
        load_config(tmp_path / "ei_ole.toml")
    assert info.value.code == "E001"
    assert "ei_ole.toml" in info.value.message
    assert "configs/" not in info.value.hint  # no checkout assumed (issue #12)


def test_toml_syntax_error_is_E004(tmp_path: Path) -> None:
    toml = tmp_path / "rikki.toml"
    toml.write_text("seed = = 3\n", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_config(toml)
    assert info.value.code == "E004"
    assert "rikki.toml" in info.value.message


def test_assignment_is_validated() -> None:
    config = load_config()
    with pytest.raises(ValueError):
        config.cluster.n_neighbors = 1


def test_resolve_path(tmp_path: Path) -> None:
    existing = tmp_path / "x.yaml"
    existing.write_text("a: 1\n", encoding="utf-8")
    assert resolve_path(existing) == existing
    assert resolve_path(tmp_path / "ei.yaml") == tmp_path / "ei.yaml"


def test_default_file_values_equal_the_schema_defaults() -> None:
    """The packaged default.toml and the schema agree, so `config --show` and the docs cannot drift apart."""
    assert load_config() == Config()
    assert DEFAULT_CONFIG.is_relative_to(PACKAGE_DIR) and DEFAULT_CODEBOOK.is_relative_to(PACKAGE_DIR)


@pytest.mark.parametrize("checkout", [True, False])
def test_default_codebook_path_resolves_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkout: bool) -> None:
    """Issue #12: the default config's relative codebook path is found outside the checkout, in the package."""
    monkeypatch.chdir(tmp_path)
    if not checkout:  # as from an installed wheel
        monkeypatch.setattr(config_module, "CHECKOUT_ROOT", None)
    resolved = resolve_path(Config().codebook)
    assert resolved.resolve() == DEFAULT_CODEBOOK
    if not checkout:
        assert resolved == DEFAULT_CODEBOOK
    assert load_codebook(Config().codebook).name == "kuntajarjesto"


def test_relative_path_in_the_cwd_wins_over_the_packaged_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "configs" / "codebook" / "kuntajarjesto.yaml"
    own.parent.mkdir(parents=True)
    own.write_text(VALID_CODEBOOK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert resolve_path("configs/codebook/kuntajarjesto.yaml") == Path("configs/codebook/kuntajarjesto.yaml")
    assert load_codebook("configs/codebook/kuntajarjesto.yaml").name == "testi"


def test_alpha_is_a_config_value() -> None:
    assert load_config().summarize.alpha == 0.05
    assert load_config(overrides={"summarize": {"alpha": 0.01}}).summarize.alpha == 0.01
    for bad in (0, 1, 1.5):
        with pytest.raises(AvovastausError) as info:
            load_config(overrides={"summarize": {"alpha": bad}})
        assert "[summarize -> alpha]" in info.value.message


# ---------------------------------------------------------------- showing a config


def test_dump_toml_round_trips_every_value(tmp_path: Path) -> None:
    config = load_config(overrides={
        "seed": 3, "codebook": "none", "review_from": 'runs/"vanha" ajo',
        "ingest": {"id": "vastaaja_id", "text": ["yhteistyö_nyt", "q2"], "group": []},
        "embed": {"prompt": "query: "}, "cluster": {"n_themes": 12, "codebook_margin": 1e-6},
        "summarize": {"alpha": 0.01, "correction": "holm"}, "report": {"lang": "en", "redact": False},
    })
    text = dump_toml(config)
    path = tmp_path / "shown.toml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path) == config
    assert tomllib.loads(text)["ingest"]["text"] == ["yhteistyö_nyt", "q2"]


def test_dump_toml_lists_every_key_with_unset_ones_commented() -> None:
    text = dump_toml(Config())
    for section, model in Config().model_dump().items():
        if section == "questions":  # a table per open question, none by default: the dump says how to write one
            assert "# [questions.COLUMN] tables:" in text
        elif isinstance(model, dict):
            assert f"[{section}]" in text
            for key, value in model.items():
                assert (f"# {key} =   (not set)" if value is None else f"{key} = ") in text
    assert "# one of: holm, bh" in text  # allowed values of a Literal


def test_show_config_merges_a_file_and_names_its_sources(tmp_path: Path) -> None:
    path = tmp_path / "oma.toml"
    path.write_text("[summarize]\nalpha = 0.01\n", encoding="utf-8")
    text = show_config(path)
    assert str(DEFAULT_CONFIG) in text.splitlines()[0] and str(path) in text.splitlines()[0]
    assert tomllib.loads(text)["summarize"] == {**tomllib.loads(show_config())["summarize"], "alpha": 0.01}
    assert f"# codebook resolves to {DEFAULT_CODEBOOK}" in text


def test_show_config_reports_a_bad_file_like_a_run(tmp_path: Path) -> None:
    path = tmp_path / "oma.toml"
    path.write_text("[summarize]\nalfa = 0.01\n", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        show_config(path)
    assert info.value.code == "E002" and "[summarize -> alfa] unknown key" in info.value.message
    assert "`avovastaus config --show`" in info.value.hint


# ---------------------------------------------------------------- codebook


VALID_CODEBOOK = """\
name: testi
themes:
  - id: verkostot
    label: Verkostot
    description: Toimijoiden väliset verkostot.
    keywords: [verkosto]
    examples:
      - Meillä on toimiva järjestöverkosto.
  - id: resurssit
    label: Resurssit
    description: Raha ja tilat.
    examples:
      - Rahaa ei ole tarpeeksi.
      - Tilat ovat kalliit.
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_codebook_is_valid() -> None:
    codebook = load_codebook(DEFAULT_CODEBOOK)
    assert isinstance(codebook, Codebook)
    assert codebook.language == "fi"
    ids = [t.id for t in codebook.themes]
    assert len(ids) == len(set(ids)) >= 2
    assert all(t.examples and t.label and t.description for t in codebook.themes)


def test_small_codebook_loads(tmp_path: Path) -> None:
    codebook = load_codebook(_write(tmp_path, VALID_CODEBOOK))
    assert codebook.name == "testi"
    assert [t.id for t in codebook.themes] == ["verkostot", "resurssit"]
    assert codebook.themes[0].keywords == ["verkosto"]
    assert codebook.themes[1].keywords == []
    assert len(codebook.themes[1].examples) == 2


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("    keywords: [verkosto]\n", "    keywords: [verkosto]\n    colour: red\n"), "[themes -> 0 -> colour] unknown key"),
        (lambda t: t.replace("name: testi\n", "name: testi\nversion: 2\n"), "[version] unknown key"),
        (lambda t: t.replace("id: resurssit", "id: verkostot"), "theme ids repeat: verkostot"),
        (
            lambda t: t.replace("    examples:\n      - Rahaa ei ole tarpeeksi.\n      - Tilat ovat kalliit.\n", ""),
            "[themes -> 1 -> examples]",
        ),
        (
            lambda t: t.replace("    examples:\n      - Rahaa ei ole tarpeeksi.\n      - Tilat ovat kalliit.\n", "    examples: []\n"),
            "[themes -> 1 -> examples]",
        ),
        (lambda t: t.replace("id: resurssit", "id: Resurssit ja raha"), "[themes -> 1 -> id]"),
        (lambda t: t.replace("name: testi\n", ""), "[name]"),
    ],
)
def test_invalid_codebook_is_E003_with_path(tmp_path: Path, edit, expected: str) -> None:
    path = _write(tmp_path, edit(VALID_CODEBOOK))
    with pytest.raises(AvovastausError) as info:
        load_codebook(path)
    err = info.value
    assert err.code == "E003"
    assert str(path) in err.message
    assert expected in err.message


def test_codebook_yaml_syntax_error_is_E004(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: [testi\nthemes: x: y\n")
    with pytest.raises(AvovastausError) as info:
        load_codebook(path)
    assert info.value.code == "E004"


def test_missing_codebook_is_E005(tmp_path: Path) -> None:
    with pytest.raises(AvovastausError) as info:
        load_codebook(tmp_path / "ei_ole.yaml")
    assert info.value.code == "E005"
    assert "Codebook not found" in info.value.message and "--codebook none" in info.value.hint


def test_invalid_codebook_hint_names_the_packaged_example(tmp_path: Path) -> None:
    with pytest.raises(AvovastausError) as info:
        load_codebook(_write(tmp_path, "name: x\nthemes: []\n"))
    assert str(DEFAULT_CODEBOOK) in info.value.hint


def test_questions_tables_round_trip_and_say_each_questions_codebook(tmp_path: Path) -> None:
    path = tmp_path / "kysely.toml"
    path.write_text('codebook = "none"\n[questions.ongelmat]\nlabel = "Maailman kolme suurinta ongelmaa ovat…"\nkind = "list"\n'
                    '[questions."kehy 2"]\ncodebook = "configs/codebook/kuntajarjesto.yaml"\n', encoding="utf-8")
    config = load_config(path)
    assert config.question("ongelmat").kind == "list" and config.codebook_of("ongelmat") is None
    assert config.codebook_of("kehy 2") == "configs/codebook/kuntajarjesto.yaml" and config.question("muu").kind == "auto"
    again = tmp_path / "again.toml"
    again.write_text(dump_toml(config), encoding="utf-8")
    assert load_config(again) == config
    path.write_text("[questions.q1]\nkidn = \"list\"\n", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_config(path)
    assert "questions -> q1 -> kidn" in str(info.value) or "questions.q1.kidn" in str(info.value)
