"""REFI-QDA exchange (#26): projects checked against the published schema, cases and users, and .qdc codebooks read back.

``tests/data/refi/Project.xsd`` is the REFI-QDA Project schema (v1.0, 18 March 2019, MIT licence; see the
README beside it). No XSD validator is installed, so :class:`Schema` checks an instance against it for the
constructs that schema uses (sequences, choices, element occurrences, attributes and their simple types),
and a test shows it refuses what the schema refuses.
"""

from __future__ import annotations

import logging
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from avovastaus.config import MAX_DEPTH, MAX_SETTINGS_BYTES, load_codebook
from avovastaus.errors import AvovastausError
from avovastaus.io.export import export_run
from avovastaus.io.refi import PROJECT_NS, USER
from avovastaus.io.rundir import answer_key
from avovastaus.qdc import read_qdc, theme_id

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "refi" / "Project.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
Q = {"q": PROJECT_NS}
UNBOUNDED = 10**9
#: lexical forms of the XSD built-in types the schema uses (anything else is a string)
BUILTIN = {
    "xsd:integer": r"[+-]?\d+", "xsd:decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)", "xsd:boolean": r"true|false|1|0",
    "xsd:date": r"-?\d{4,}-\d\d-\d\d(Z|[+-]\d\d:\d\d)?", "xsd:dateTime": r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _occurs(particle: ET.Element) -> tuple[int, int]:
    high = particle.get("maxOccurs", "1")
    return int(particle.get("minOccurs", "1")), UNBOUNDED if high == "unbounded" else int(high)


class Schema:
    """An XSD read with ElementTree: checks an instance's elements, order, occurrences and attribute values against it."""

    KNOWN: ClassVar[set[str]] = {"schema", "element", "complexType", "simpleType", "sequence", "choice", "attribute", "restriction", "pattern", "enumeration",
             "annotation", "documentation"}

    def __init__(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        self.tags = {_local(e.tag) for e in root.iter() if isinstance(e.tag, str) and e.tag.startswith(XS)}
        self.namespace = root.get("targetNamespace")
        self.complex = {t.get("name"): t for t in root.findall(f"{XS}complexType")}
        self.simple = {t.get("name"): t for t in root.findall(f"{XS}simpleType")}
        self.roots = {e.get("name"): e.get("type") for e in root.findall(f"{XS}element")}

    def problems(self, element: ET.Element, type_name: str | None = None) -> list[str]:
        """Return what in ``element`` (a document root, or an element of ``type_name``) the schema does not allow."""
        out: list[str] = []
        name = _local(element.tag)
        type_name = type_name or self.roots.get(name)
        if type_name is None:
            return [f"<{name}> is not a root element of the schema"]
        self._element(element, type_name, f"/{name}", out)
        return out

    def _element(self, element: ET.Element, type_name: str, path: str, out: list[str]) -> None:
        if not element.tag.startswith(f"{{{self.namespace}}}"):
            out.append(f"{path}: not in namespace {self.namespace}")
        if type_name not in self.complex:  # simple content
            if len(element):
                out.append(f"{path}: holds elements, but its type {type_name} is text")
            self._value(element.text or "", type_name, path, out)
            return
        declared = {a.get("name"): a for a in self.complex[type_name].findall(f"{XS}attribute")}
        for name, attribute in declared.items():
            if attribute.get("use") == "required" and name not in element.attrib:
                out.append(f"{path}: lacks the required attribute {name}")
        for name, value in element.attrib.items():
            if name not in declared:
                out.append(f"{path}: has the undeclared attribute {name}")
            else:
                self._value(value, declared[name].get("type"), f"{path}/@{name}", out)
        model = next((c for c in self.complex[type_name] if c.tag in (f"{XS}sequence", f"{XS}choice")), None)
        children = list(element)
        if model is None:
            if children:
                out.append(f"{path}: holds elements, but {type_name} has none")
            return
        rest = self._match(model, children, path, out)
        if rest:
            out.append(f"{path}: <{_local(rest[0].tag)}> is not allowed there")

    def _value(self, value: str, type_name: str, path: str, out: list[str]) -> None:
        if type_name in BUILTIN:
            if not re.fullmatch(BUILTIN[type_name], value.strip()):
                out.append(f"{path}: {value!r} is not an {type_name}")
        elif type_name in self.simple:
            restriction = self.simple[type_name].find(f"{XS}restriction")
            patterns = [p.get("value") for p in restriction.findall(f"{XS}pattern")]
            allowed = [e.get("value") for e in restriction.findall(f"{XS}enumeration")]
            token = " ".join(value.split())
            if (patterns and not any(re.fullmatch(p, token) for p in patterns)) or (allowed and token not in allowed):
                out.append(f"{path}: {value!r} is not a {type_name}")

    def _emptiable(self, particle: ET.Element) -> bool:
        if _occurs(particle)[0] == 0:
            return True
        parts = [p for p in particle if p.tag in (f"{XS}element", f"{XS}sequence", f"{XS}choice")]
        if particle.tag == f"{XS}sequence":
            return all(self._emptiable(p) for p in parts)
        return particle.tag == f"{XS}choice" and any(self._emptiable(p) for p in parts)

    def _match(self, particle: ET.Element, children: list[ET.Element], path: str, out: list[str]) -> list[ET.Element]:
        """Consume the children ``particle`` matches (with its occurrences); return the rest."""
        low, high = _occurs(particle)
        count = 0
        while count < high and children:
            left = self._once(particle, children, path, out)
            if len(left) == len(children):
                break
            children, count = left, count + 1
        if count < low:
            if particle.tag == f"{XS}sequence":
                children = self._once(particle, children, path, out)  # again, so that it names the missing elements
            elif particle.tag == f"{XS}element" or not self._emptiable(particle):
                out.append(f"{path}: expected <{particle.get('name') or _local(particle.tag)}> (at least {low})")
        return children

    def _once(self, particle: ET.Element, children: list[ET.Element], path: str, out: list[str]) -> list[ET.Element]:
        if particle.tag == f"{XS}element":
            if _local(children[0].tag) != particle.get("name"):
                return children
            self._element(children[0], particle.get("type"), f"{path}/{particle.get('name')}", out)
            return children[1:]
        parts = [p for p in particle if p.tag in (f"{XS}element", f"{XS}sequence", f"{XS}choice")]
        if particle.tag == f"{XS}sequence":
            for part in parts:
                children = self._match(part, children, path, out)
            return children
        for part in parts:  # a choice: the option the next child starts
            if part.tag == f"{XS}element" and children and _local(children[0].tag) == part.get("name"):
                return self._match(part, children, path, out)
        return children


@pytest.fixture(scope="module")
def schema() -> Schema:
    return Schema(SCHEMA)


def _project(path: Path) -> tuple[ET.Element, dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde")), {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n != "project.qde"}


# ---------------------------------------------------------------- the schema check itself


def test_the_checker_understands_every_construct_of_the_schema(schema):
    assert schema.tags <= Schema.KNOWN
    assert schema.namespace == PROJECT_NS and schema.roots == {"Project": "ProjectType"}


@pytest.mark.parametrize("xml, wrong", [
    ('<Project name="p"><Sources/><Users><User guid="{g}"/></Users></Project>', "<Users> is not allowed"),            # order
    ('<Project><Users><User guid="{g}"/></Users></Project>', "required attribute name"),
    ('<Project name="p"><Users><User guid="R001"/></Users></Project>', "not a GUIDType"),
    ('<Project name="p" colour="red"/>', "undeclared attribute colour"),
    ('<Project name="p"><Users/></Project>', "expected <User>"),
    ('<Project name="p"><Variables><Variable guid="{g}" name="v" typeOfVariable="Teksti"/></Variables></Project>', "not a typeOfVariableType"),
    (('<Project name="p"><Cases><Case guid="{g}"><SelectionRef targetGUID="{g}"/><VariableValue><VariableRef targetGUID="{g}"/>'
      "</VariableValue></Case></Cases></Project>"), "<VariableValue> is not allowed"),
    ('<Project name="p" creationDateTime="eilen"/>', "not an xsd:dateTime"),
    ('<Codes xmlns="x"/>', "not a root element"),
])
def test_the_checker_refuses_what_the_schema_refuses(schema, xml, wrong):
    text = xml.replace("{g}", "0D29A19D-19C5-504E-BAA6-F36BE1BC5801").replace("<Project", f'<Project xmlns="{PROJECT_NS}"', 1)
    found = schema.problems(ET.fromstring(text))
    assert any(wrong in p for p in found), found


# ---------------------------------------------------------------- projects


def test_project_is_valid_and_the_same_run_gives_the_same_bytes(review_run, tmp_path, schema):
    first = export_run(review_run, "qdpx", tmp_path / "a.qdpx")
    again = export_run(review_run, "qdpx", tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    project, sources = _project(first.path)
    assert schema.problems(project) == []
    for source in project.iterfind(".//q:TextSource", Q):  # the schema's one rule it cannot say: a path or the content, not both
        assert source.get("plainTextPath").replace("internal://", "sources/") in sources and source.find("q:PlainTextContent", Q) is None
    assert first.lines() == [line.replace("b.qdpx", "a.qdpx") for line in again.lines()]
    assert "24 cases" in first.lines()[0] and "1 user)" in first.lines()[0]


def test_cases_carry_group_values_and_every_analysed_answer(review_run, tmp_path):
    project, _ = _project(export_run(review_run, "qdpx", tmp_path / "p.qdpx").path)
    answers = pd.read_csv(review_run / "answers.csv", dtype=str, keep_default_na=False)
    variables = {v.get("guid"): v for v in project.iterfind("q:Variables/q:Variable", Q)}
    assert [(v.get("name"), v.get("typeOfVariable")) for v in variables.values()] == [("vastaajaryhma", "Text")]
    selections = {s.get("guid"): s for s in project.iterfind(".//q:PlainTextSelection", Q)}
    cases = list(project.iterfind("q:Cases/q:Case", Q))
    assert [c.get("name") for c in cases] == list(pd.unique(answers["id"]))
    for case in cases:
        mine = answers[answers["id"] == case.get("name")]
        values = {variables[v.find("q:VariableRef", Q).get("targetGUID")].get("name"): v.findtext("q:TextValue", namespaces=Q)
                  for v in case.iterfind("q:VariableValue", Q)}
        assert values == {"vastaajaryhma": mine["vastaajaryhma"].iloc[0]}
        refs = [r.get("targetGUID") for r in case.iterfind("q:SelectionRef", Q)]
        assert all(r in selections for r in refs)
        assert sorted(selections[r].get("name") for r in refs) == sorted(mine.loc[mine["excluded"] == "", "id"])
    assert len(selections) == int((answers["excluded"] == "").sum())  # every analysed answer, coded or not


def test_themes_are_codes_under_their_question_and_hold_their_description(review_run, tmp_path):
    project, _ = _project(export_run(review_run, "qdpx", tmp_path / "p.qdpx").path)
    themes = pd.read_csv(review_run / "themes.csv", dtype=str, keep_default_na=False)
    top = list(project.iterfind("q:CodeBook/q:Codes/q:Code", Q))
    codable = [c for c in project.iter(f"{{{PROJECT_NS}}}Code") if c.get("isCodable") == "true"]
    assert len(codable) == len(themes)
    folders = [c for c in top if c.get("isCodable") == "false"]
    assert {f.get("name") for f in folders} == set(themes["question"]) - {""}
    for folder in folders:  # a question's own themes under its code
        assert {c.get("name") for c in folder.iterfind("q:Code", Q)} == set(themes.loc[themes["question"] == folder.get("name"), "label"])
    described = {re.search(r"^Tunniste: (.+)$", c.findtext("q:Description", namespaces=Q), re.MULTILINE).group(1) for c in codable}
    assert described == set(themes["theme"])


def test_a_reviewed_run_names_its_evaluators_as_users(review_run, tmp_path, schema):
    from avovastaus.review.export import write_reviewed
    from avovastaus.review.journal import Journal

    answers = pd.read_csv(review_run / "answers.csv", dtype=str, keep_default_na=False)
    coded = answers[(answers["excluded"] == "") & (answers["theme"] != "")]
    first, second = (answer_key(r.id, r.question) for r in coded.iloc[:2].itertuples())
    other = next(t for t in pd.read_csv(review_run / "themes.csv", dtype=str)["theme"] if t != coded.iloc[1]["theme"])
    journal = Journal(review_run)
    journal.append("verdict", {"answer": first, "theme": coded.iloc[0]["theme"], "verdict": "confirmed"}, "liisa", [f"answer:{first}"])
    journal.append("verdict", {"answer": second, "theme": coded.iloc[1]["theme"], "verdict": "confirmed"}, "liisa", [f"answer:{second}"])
    journal.append("move", {"answer": second, "to": other}, "pekka", [f"answer:{second}"])
    write_reviewed(review_run)
    reviewed = review_run / "reviewed"
    result = export_run(reviewed, "qdpx")
    assert result.path == reviewed / "export.qdpx" and "3 users" in result.lines()[0]
    project, _ = _project(result.path)
    assert schema.problems(project) == []
    users = {u.get("name"): u.get("guid") for u in project.iterfind("q:Users/q:User", Q)}
    assert list(users) == [USER, "liisa", "pekka"]
    codes = {c.get("guid"): re.search(r"^Tunniste: (.+)$", c.findtext("q:Description", namespaces=Q), re.MULTILINE).group(1)
             for c in project.iter(f"{{{PROJECT_NS}}}Code") if c.get("isCodable") == "true"}
    final = pd.read_csv(reviewed / "answers.csv", dtype=str, keep_default_na=False)
    by_key = {answer_key(r.id, r.question): r for r in final.itertuples()}
    for source in project.iterfind(".//q:TextSource", Q):
        for selection in source.iterfind("q:PlainTextSelection", Q):
            row = by_key[answer_key(selection.get("name"), source.get("name"))]
            codings = list(selection.iterfind("q:Coding", Q))
            assert sorted(codes[c.find("q:CodeRef", Q).get("targetGUID")] for c in codings) == sorted(filter(None, row.themes.split(";")))
            want = {"": USER, "liisa": "liisa", "liisa, pekka": "pekka"}[row.reviewer]  # the last evaluator who decided
            assert {c.get("creatingUser") for c in codings} <= {users[want]} and selection.get("creatingUser") == users[want]
            if row.reviewer:
                assert f"Arvioijat: {row.reviewer}" in selection.findtext("q:Description", namespaces=Q)
    moved = by_key[second]
    assert other in moved.themes.split(";")


# ---------------------------------------------------------------- codebooks (.qdc)


def test_exported_codebook_reads_back_with_ids_labels_and_descriptions(review_run, tmp_path, schema):
    from avovastaus.io.refi import theme_codes
    from avovastaus.io.rundir import load_run

    out = export_run(review_run, "qdc", tmp_path / "teemat.qdc").path
    root = ET.parse(out).getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook" and [_local(c.tag) for c in root] == ["Codes"] and root.get("origin")
    for code in root.iter("{urn:QDA-XML:codebook:1.0}Code"):  # the codebook's CodeType is the project's, without notes
        code.tag = f"{{{PROJECT_NS}}}Code"
        for child in code.iter():
            child.tag = child.tag.replace("urn:QDA-XML:codebook:1.0", PROJECT_NS)
    assert [p for code in root[0] for p in schema.problems(code, "CodeType")] == []
    book = load_codebook(out)
    run = load_run(review_run)
    written = theme_codes(run)
    assert [t.id for t in book.themes] == [theme_id(c.theme) for c in written]
    assert [(t.label, t.description) for t in book.themes] == [(c.label, c.description) for c in written]
    original = {t.id: t for t in load_codebook(run.manifest.codebook.path).themes}
    for theme in book.themes:
        if theme.id in original:  # a codebook theme keeps its keywords and examples too
            assert theme == original[theme.id]
    assert book.name == "teemat"


def _qdc(path: Path, codes: str) -> Path:
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14"><Codes>{codes}'
                    "</Codes></CodeBook>", encoding="utf-8")
    return path


def _code(name: str, description: str = "", children: str = "", codable: str = "true") -> str:
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, name + description)).upper()
    body = f"<Description>{description}</Description>" if description else ""
    return f'<Code guid="{guid}" name="{name}" isCodable="{codable}">{body}{children}</Code>'


def test_a_foreign_code_tree_is_flattened_into_themes(tmp_path, caplog):
    tree = (_code("Rahoitus", "Raha ja avustukset.\nEsimerkki: Avustukset ovat liian pieniä.\nAvainsanat: raha, avustus",
                  _code("Tilat", "Tilojen hinta ja saatavuus.")) +
            _code("Kysymys 2", "Vain kansio.", _code("Tiedonkulku ja viestintä") + _code("Tilat", "Toinen tila-koodi."), codable="false"))
    with caplog.at_level(logging.WARNING, logger="avovastaus.config"):
        book = load_codebook(_qdc(tmp_path / "nvivo.qdc", tree))
    assert [(t.id, t.label) for t in book.themes] == [("rahoitus", "Rahoitus"), ("tilat", "Tilat"), ("tiedonkulku_ja_viestinta", "Tiedonkulku ja viestintä"),
                                                      ("tilat_2", "Tilat")]
    first = book.themes[0]
    assert (first.description, first.keywords, first.examples) == ("Raha ja avustukset.", ["raha", "avustus"], ["Avustukset ovat liian pieniä."])
    assert book.themes[2].description == "Tiedonkulku ja viestintä" and book.themes[2].examples == ["Tiedonkulku ja viestintä"]
    assert "3 theme(s) have no example answers" in caplog.text and "nvivo.qdc" in caplog.text
    assert book.name == "nvivo" and "NVivo 14" in book.description


@pytest.mark.parametrize("content, code, said", [
    ("teemat:\n  - id: a\n", "E004", "not well-formed XML"),
    (f'<Project xmlns="{PROJECT_NS}" name="p"/>', "E004", "root element is <Project>"),
    ('<!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "E004", "DOCTYPE"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "E003", "[themes]"),
    (None, "E003", "theme ids repeat: kaksi"),
])
def test_a_bad_qdc_is_a_coded_error_naming_the_file(tmp_path, content, code, said):
    path = tmp_path / "rikki.qdc"
    if content is None:
        _qdc(path, _code("Yksi", "Tunniste: kaksi") + _code("Kaksi", "Tunniste: kaksi"))
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_codebook(path)
    assert info.value.code == code and str(path) in str(info.value) and said in str(info.value), str(info.value)


def test_a_qdc_nested_too_deep_missing_or_too_large_is_refused(tmp_path):
    deep = _qdc(tmp_path / "syva.qdc", "".join(_code(f"k{i}").replace("</Code>", "") for i in range(40)) + "</Code>" * 40)
    with pytest.raises(AvovastausError) as info:
        read_qdc(deep, MAX_SETTINGS_BYTES, MAX_DEPTH)
    assert info.value.code == "E004" and "nested more than" in str(info.value)
    with pytest.raises(AvovastausError) as info:
        load_codebook(tmp_path / "puuttuu.qdc")
    assert info.value.code == "E005"
    big = tmp_path / "iso.qdc"
    with big.open("wb") as f:
        f.truncate(6 << 20)  # sparse: refused by its size before a byte is read
    with pytest.raises(AvovastausError) as info:
        load_codebook(big)
    assert info.value.code == "E004" and "MB" in str(info.value)


def test_the_cli_takes_a_qdc_as_codebook_and_reports_a_bad_one_without_traceback(review_run, tmp_path):
    from typer.testing import CliRunner

    from avovastaus.cli import app
    from tests.conftest import CORPORA, REVIEW_INGEST

    qdc = export_run(review_run, "qdc", tmp_path / "teemat.qdc").path
    args = ["run", str(CORPORA / "tiny" / "answers.csv"), "--fast", "--quiet", "--id", REVIEW_INGEST["id"], "--group", REVIEW_INGEST["group"][0],
            *[a for t in REVIEW_INGEST["text"] for a in ("--text", t)]]
    ok = CliRunner().invoke(app, [*args, "--codebook", str(qdc), "--out", str(tmp_path / "uusi")])
    assert ok.exit_code == 0, ok.output
    themes = pd.read_csv(tmp_path / "uusi" / "themes.csv", dtype=str, keep_default_na=False)
    assert set(themes.loc[themes["source"] == "codebook", "theme"]) <= {t.id for t in load_codebook(qdc).themes}
    bad = tmp_path / "rikki.qdc"
    bad.write_text("<CodeBook", encoding="utf-8")
    refused = CliRunner().invoke(app, [*args, "--codebook", str(bad), "--out", str(tmp_path / "uusi2")])
    assert refused.exit_code == 2 and "E004" in refused.output and "rikki.qdc" in refused.output and "Traceback" not in refused.output
