"""The compiled PubMed XML fast path (`kg._pubmed_fast`, `read_path(..., hook_for=compiled_hooks(...))`) must
give the same graphs as the Python reference (`kg.ingest.pubmed_xml` + `kg.rdf.article`), byte for byte,
with text mining and without.

Every input is read twice, once without the hook (the reference) and once with it
(`PrebuiltArticle` records made by C, `Article` records for what C declines); every record is mapped with
`map_record` and the two lists must be equal: same records in the same order, same N-Quads text, same
triple counts, same rejection messages, same deletions.

Inputs: every PubMed XML file of ../shared/data (through the `shared_data` fixture), the bundled
examples, and documents written here (`edge_cases`, `random_articles`, `quirk_cases`, `file_variants`)
that exercise what the Python reader does with markup, whitespace, escapes, dates, identifiers,
duplicates and malformed input.
"""

from __future__ import annotations

import difflib
import gzip
import io
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import read_path
from kg.pipeline import Mapped, compiled_hooks, map_record
from kg.records import Article, Deletion, Rejected

ROOT = Path(__file__).resolve().parent.parent
GENERATED = "2024-01-01T00:00:00Z"
DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
           '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')
PUBMED_MARKERS = (b"<PubmedArticle", b"<PubmedBookArticle", b"<DeleteCitation")


# --------------------------------------------------------------------------------------------------------
# Reading both ways and comparing


def _read(path: Path, prebuilt: bool, nlp: bool = False) -> list:
    return list(read_path(str(path), hook_for=compiled_hooks(GENERATED, nlp=nlp) if prebuilt else None))


def _entry(rec, path: Path, nlp: bool = False):
    """What a record becomes: ('article', Mapped) / ('rejected', message) / ('deletion', pmid)."""
    if isinstance(rec, Rejected):
        return ("rejected", str(rec.error))
    if isinstance(rec, Deletion):
        return ("deletion", rec.pmid)
    try:
        return ("article", map_record(rec, path=str(path), fmt=None, generated=GENERATED, nlp=nlp))
    except InputError as exc:
        return ("map-error", str(exc))
    except Exception as exc:  # noqa: BLE001 - shown in the comparison instead of aborting the file
        return ("exception", f"{type(exc).__name__}: {exc} (record type {type(rec).__name__})")


def read_both(path: Path, nlp: bool = False) -> tuple[list, list]:
    """The records of `path` read by the Python reference and through the fast path."""
    return _read(path, False), _read(path, True, nlp)


def mapped_both(path: Path, nlp: bool = False) -> tuple[list, list]:
    """Both readings of `path`, every record mapped (text mined with `nlp`): two lists that must be equal."""
    slow, fast = read_both(path, nlp)
    return [_entry(r, path, nlp) for r in slow], [_entry(r, path, nlp) for r in fast]


def _lines(data: bytes) -> list[str]:
    text = data.decode()
    # str.splitlines would also split on U+0085, U+2028, ... which literals may hold; N-Quads lines end in \n.
    return [x + "\n" for x in text.split("\n")][:-1] if text.endswith("\n") else [x + "\n" for x in text.split("\n")]


def _describe(e) -> str:
    kind, v = e
    if kind == "article":
        return f"article PMID {v.pmid} v{v.version} graph {v.graph} ({v.triples} triples, kind {v.kind})"
    return f"{kind}: {v}"


def _diff_entry(a, b, label: str = "") -> str:
    """A readable account of how two entries differ: the first differing N-Quads lines, shown with repr."""
    head = f"record {label}\n  python: {_describe(a)}\n  fast:   {_describe(b)}\n"
    if a[0] != "article" or b[0] != "article":
        return head
    ma, mb = a[1], b[1]
    out = [head]
    for f in ("graph", "pmid", "version", "triples", "kind"):
        if getattr(ma, f) != getattr(mb, f):
            out.append(f"  {f}: python {getattr(ma, f)!r} != fast {getattr(mb, f)!r}\n")
    if ma.nquads != mb.nquads:
        la, lb = _lines(ma.nquads), _lines(mb.nquads)
        if sorted(la) == sorted(lb):
            i = next(k for k, (x, y) in enumerate(zip(la, lb)) if x != y)
            out.append(f"  same lines, different order; first at line {i + 1}:\n"
                       f"    python: {la[i]!r}\n    fast:   {lb[i]!r}\n")
        else:
            shown = 0
            for d in difflib.unified_diff(la, lb, "python", "fast", n=0):
                if d.startswith(("---", "+++")):
                    continue
                out.append("    " + (d if d.startswith("@@") else d[0] + repr(d[1:])) .rstrip("\n") + "\n")
                shown += 1
                if shown >= 14:
                    out.append("    ...\n")
                    break
    return "".join(out)


def assert_same(path: Path, names: dict[str, str] | None = None, max_shown: int = 8,
                nlp: bool = False) -> tuple[list, list]:
    """Assert that both readings of `path` map to the same graphs; on failure show each differing record
    (by case name where `names` maps PMIDs to case names) and its first differing N-Quads lines."""
    slow, fast = mapped_both(path, nlp)
    if slow == fast:
        return slow, fast
    problems = []
    if len(slow) != len(fast):
        problems.append(f"{len(slow)} records read by Python, {len(fast)} through the fast path\n")
    sm = difflib.SequenceMatcher(a=[_describe(e) for e in slow], b=[_describe(e) for e in fast], autojunk=False)
    shown = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            pairs = list(zip(slow[i1:i2], fast[j1:j2]))
        else:
            pairs = [(e, ("missing", "-")) for e in slow[i1:i2]] + [(("missing", "-"), e) for e in fast[j1:j2]]
        for a, b in pairs:
            shown += 1
            if shown <= max_shown:
                pm = a[1].pmid if a[0] == "article" else (b[1].pmid if b[0] == "article" else None)
                label = f"PMID {pm}" + (f" (case {names[pm]})" if names and pm in names else "") if pm else ""
                problems.append(_diff_entry(a, b, label))
    # Equal summaries but unequal entries (only the N-Quads differ): the matcher saw them as equal.
    for k, (a, b) in enumerate(zip(slow, fast)):
        if a != b and _describe(a) == _describe(b):
            shown += 1
            if shown <= max_shown:
                pm = a[1].pmid if a[0] == "article" else None
                label = f"#{k} PMID {pm}" + (f" (case {names[pm]})" if names and pm in names else "")
                problems.append(_diff_entry(a, b, label))
    if shown > max_shown:
        problems.append(f"... and {shown - max_shown} more differing records\n")
    pytest.fail(f"{path}: the fast path differs from the Python reference:\n" + "".join(problems), pytrace=False)


# --------------------------------------------------------------------------------------------------------
# Real files


def _head(p: Path) -> bytes:
    try:
        if p.name.endswith(".gz"):
            with gzip.open(p) as f:
                return f.read(200_000)
        with open(p, "rb") as f:
            return f.read(200_000)
    except (OSError, EOFError):
        return b""


def pubmed_files_under(folder: Path) -> list[Path]:
    """PubMed XML files (.xml, .xml.gz) under `folder`, found by sniffing (some XML files are not PubMed)."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.endswith((".xml", ".xml.gz")):
                p = Path(root) / f
                if any(m in _head(p) for m in PUBMED_MARKERS):
                    out.append(p)
    return out


def _shared_files() -> list[Path]:
    from conftest import find_shared_data
    d = find_shared_data()
    return pubmed_files_under(d) if d is not None else []


SHARED = _shared_files()


@pytest.mark.parametrize("rel", [str(p) for p in SHARED] or ["(none)"], ids=lambda s: s.split("shared/data/")[-1])
def test_shared_data_same_both_ways(shared_data, rel):
    if rel == "(none)":
        pytest.skip("no PubMed XML file under the shared data folder")
    assert_same(Path(rel))


@pytest.mark.parametrize("rel", [str(p) for p in SHARED] or ["(none)"], ids=lambda s: s.split("shared/data/")[-1])
def test_shared_data_same_both_ways_with_text_mining(shared_data, rel):
    """Text mining does not choose the mapping: compiled graph plus the mining of the record's text is the
    Python graph with mining, line for line in the same order."""
    if rel == "(none)":
        pytest.skip("no PubMed XML file under the shared data folder")
    assert_same(Path(rel), nlp=True)


def test_shared_data_found(shared_data):
    assert len(pubmed_files_under(shared_data)) >= 10, "expected the shared data to hold PubMed XML files"


def test_examples_same_both_ways():
    files = pubmed_files_under(ROOT / "examples")
    assert files, "examples/ holds no PubMed XML file"
    for p in files:
        assert_same(p)
        assert_same(p, nlp=True)


def test_text_mining_keeps_the_compiled_mapping():
    """With text mining on, PubMed articles still come out of the compiled mapping (carrying their text),
    and at least one graph gains mining triples there (the examples are about colorectal cancer)."""
    prebuilt_cls = _fast_classes()
    path = next(p for p in pubmed_files_under(ROOT / "examples"))
    fast = _read(path, True, nlp=True)
    built = [r for r in fast if isinstance(r, prebuilt_cls)]
    assert built and all(r.text is not None and r.text.pmid == r.pmid for r in built)
    grew = [r for r in built if _entry(r, path, True)[1].triples > r.triples]
    assert grew, "no compiled graph gained text-mining triples"


# --------------------------------------------------------------------------------------------------------
# Generated documents: one article per edge case


@dataclass
class Case:
    name: str
    parts: dict = field(default_factory=dict)
    reject: bool = False  # the Python reference rejects this record (checked, so the generator stays honest)
    ordinary: bool = False  # nothing unusual: the fast path should take it


DEFAULTS = dict(
    mc_attrs='Status="MEDLINE" Owner="NLM"',
    pmid_el='<PMID Version="1">@PMID@</PMID>',
    issn='<ISSN IssnType="Electronic">2045-2322</ISSN>',
    volume="<Volume>12</Volume>", issue="<Issue>3</Issue>",
    pubdate="<PubDate><Year>2020</Year><Month>Mar</Month></PubDate>",
    jtitle="<Title>Journal of Edge Cases</Title><ISOAbbreviation>J Edge Cases</ISOAbbreviation>",
    journal=None,  # None: built from issn, volume, issue, pubdate, jtitle
    title="Case @NAME@ title.",
    title_el=None,  # None: <ArticleTitle>title</ArticleTitle>
    pagination="<Pagination><MedlinePgn>1-9</MedlinePgn></Pagination>",
    eloc="",
    abstract="<Abstract><AbstractText>Plain abstract of case @NAME@.</AbstractText></Abstract>",
    authors=('<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Doe</LastName><ForeName>Jane</ForeName>'
             "<Initials>J</Initials></Author></AuthorList>"),
    languages="<Language>eng</Language>",
    grants="",
    pubtypes='<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>',
    article_extra="",
    mji=("<MedlineJournalInfo><Country>United States</Country><MedlineTA>J Edge Cases</MedlineTA>"
         "<NlmUniqueID>101563288</NlmUniqueID><ISSNLinking>2045-2322</ISSNLinking></MedlineJournalInfo>"),
    chemicals="", suppl="", comments="", mesh="", other_abstract="", keywords="", investigators="", medline_extra="",
    articleids='<ArticleIdList><ArticleId IdType="pubmed">@PMID@</ArticleId></ArticleIdList>',
    pubmed_data_extra="",
    raw=None,  # a whole record, used as is
)


def build(pmid: str, case: Case) -> str:
    p = dict(DEFAULTS, **case.parts)
    if p["raw"] is not None:
        xml = p["raw"]
    else:
        journal = p["journal"]
        if journal is None:
            journal = (f'<Journal>{p["issn"]}<JournalIssue CitedMedium="Internet">{p["volume"]}{p["issue"]}'
                       f'{p["pubdate"]}</JournalIssue>{p["jtitle"]}</Journal>')
        title = p["title_el"] if p["title_el"] is not None else f'<ArticleTitle>{p["title"]}</ArticleTitle>'
        xml = (f'<PubmedArticle>\n<MedlineCitation {p["mc_attrs"]}>\n{p["pmid_el"]}\n'
               f'<Article PubModel="Print">\n{journal}\n{title}\n{p["pagination"]}{p["eloc"]}\n{p["abstract"]}\n'
               f'{p["authors"]}\n{p["languages"]}{p["grants"]}{p["pubtypes"]}{p["article_extra"]}\n</Article>\n'
               f'{p["mji"]}{p["chemicals"]}{p["suppl"]}{p["comments"]}{p["mesh"]}{p["other_abstract"]}'
               f'{p["keywords"]}{p["investigators"]}{p["medline_extra"]}\n</MedlineCitation>\n'
               f'<PubmedData>{p["articleids"]}{p["pubmed_data_extra"]}</PubmedData>\n</PubmedArticle>\n')
    return xml.replace("@PMID@", pmid).replace("@NAME@", case.name)


def _authors(*inner: str) -> str:
    return '<AuthorList CompleteYN="Y">' + "".join(f'<Author ValidYN="Y">{a}</Author>' for a in inner) + "</AuthorList>"


def _date(inner: str) -> dict:
    return {"pubdate": f"<PubDate>{inner}</PubDate>"}


def _mesh(*headings: str) -> dict:
    return {"mesh": "<MeshHeadingList>" + "".join(headings) + "</MeshHeadingList>"}


def _refs(*refs: str) -> dict:
    return {"pubmed_data_extra": "<ReferenceList>" + "".join(f"<Reference>{r}</Reference>" for r in refs)
            + "</ReferenceList>"}


def _ids(*ids: tuple[str, str]) -> str:
    return "<ArticleIdList>" + "".join(f'<ArticleId IdType="{t}">{v}</ArticleId>' for t, v in ids) + "</ArticleIdList>"


MATHML = "http://www.w3.org/1998/Math/MathML"
ORCID = "0000-0002-1825-0097"

EDGE_CASES: list[Case] = [
    Case("plain", ordinary=True),
    Case("plain-rich", {
        "mc_attrs": 'Status="PubMed-not-MEDLINE" Owner="NLM" IndexingMethod="Automated"',
        "eloc": '<ELocationID EIdType="doi" ValidYN="Y">10.1038/s41392-022-00922-2</ELocationID>',
        "authors": _authors("<LastName>Zhou</LastName><ForeName>Haiyan</ForeName><Initials>H</Initials>"
                            f'<Identifier Source="ORCID">{ORCID}</Identifier>'
                            "<AffiliationInfo><Affiliation>Dept of Surgery, Somewhere.</Affiliation></AffiliationInfo>",
                            "<LastName>Liu</LastName><ForeName>Zhong</ForeName><Initials>Z</Initials>"),
        "keywords": '<KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">liver</Keyword><Keyword MajorTopicYN="N">metastasis</Keyword></KeywordList>',
        **_mesh('<MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>'),
        "articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1038/s41392-022-00922-2"), ("pmc", "PMC8897452"), ("pii", "922")),
        **_refs('<Citation>Ref one.</Citation><ArticleIdList><ArticleId IdType="pubmed">12345</ArticleId></ArticleIdList>'),
    }, ordinary=True),

    # ---- inline markup
    Case("markup-title", {"title": "Role of <i>HGF</i> in CO<sub>2</sub> and Ca<sup>2+</sup> <b>bold <i>nested "
                                   "<u>deep</u></i> tail</b> end."}, ordinary=True),
    Case("markup-leading-child", {"title": "<i>Lead</i>ing child<b>adjacent</b><i>tags</i> and tail"}),
    Case("markup-only-child", {"title": "<i>Only an italic child</i>"}),
    Case("markup-whitespace-only", {"title": " <i> </i>\n <b>\t</b> "}),
    Case("mathml-prefixed", {"title": f'Value of <mml:math xmlns:mml="{MATHML}"><mml:msup><mml:mi>x</mml:mi>'
                                      "<mml:mn>2</mml:mn></mml:msup></mml:math> in <i>vivo</i>",
                             "abstract": f'<Abstract><AbstractText>We find <mml:math xmlns:mml="{MATHML}" display="inline">'
                                         "<mml:mrow><mml:mi>α</mml:mi><mml:mo>=</mml:mo><mml:mn>0.05</mml:mn></mml:mrow>"
                                         "</mml:math>.</AbstractText></Abstract>"}),
    Case("mathml-default-ns", {"title": f'Default <math xmlns="{MATHML}"><mi>y</mi><mo>+</mo><mn>1</mn></math> ns'}),
    Case("markup-in-many-places", {
        "abstract": "<Abstract><AbstractText Label=\"AIM\">The <i>aim</i>.</AbstractText>"
                    "<AbstractText Label=\"RESULTS\">P&lt;0.05<sup>*</sup>, n<sub>i</sub></AbstractText></Abstract>",
        "keywords": "<KeywordList><Keyword><i>E. coli</i> strain</Keyword></KeywordList>",
        "jtitle": "<Title>Journal of <i>Italic</i> Things</Title>",
        "authors": _authors("<LastName>Mc<i>Kay</i></LastName><ForeName>A<b>n</b>n</ForeName>",
                            "<CollectiveName>The <i>Italic</i> Group</CollectiveName>"),
        "article_extra": "<VernacularTitle>Titre <i>vernaculaire</i></VernacularTitle>",
        **_mesh('<MeshHeading><DescriptorName UI="D006801">Hu<i>man</i>s</DescriptorName>'
                '<QualifierName UI="Q000379">me<b>thods</b></QualifierName></MeshHeading>'),
        "pubtypes": '<PublicationTypeList><PublicationType UI="D016428">Journal <i>Article</i></PublicationType></PublicationTypeList>',
    }),
    Case("findtext-ignores-children", {"volume": "<Volume>1<i>2</i>3</Volume>", "issue": "<Issue><i>4</i></Issue>",
                                       "pagination": "<Pagination><MedlinePgn>e1<sup>2</sup></MedlinePgn></Pagination>",
                                       "mji": "<MedlineJournalInfo><Country>Fr<i>a</i>nce</Country><MedlineTA>J <i>E</i></MedlineTA>"
                                              "<NlmUniqueID>1015<b>6</b></NlmUniqueID></MedlineJournalInfo>"}),

    # ---- whitespace
    Case("ws-leading-trailing", {"title": "   padded title   ", "languages": "<Language> eng </Language>"}),
    Case("ws-leaf-tab", {"title": "Tab\tinside\t\tleaf"}),
    Case("ws-tab-with-child", {"title": "Tab\tinside <i>non</i>\tleaf"}),
    Case("ws-leaf-newline", {"title": "Line one\n   line two\tand tab"}),
    Case("ws-leaf-double-space", {"title": "Double  space\tand tab"}),
    Case("ws-leaf-nbsp-pair", {"title": "Two\u00a0\u00a0nbsp and\u3000\u3000ideographic"}),
    Case("ws-unicode-leaf", {"title": "\u00a0 Lead nbsp\u2009thin\u3000ideo\u0085nel\u2028ls\u202fnnbsp\u1680ogham\u205fmm \u00a0"}),
    Case("ws-unicode-leaf-newline", {"title": "\u00a0A\u2009B\nC\u3000D\u0085E\u2028F "}),
    Case("ws-unicode-children", {"title": "A\u00a0<i>B</i>\u3000C\u2009D\u0085E\u2029F\u00a0"}),
    Case("ws-unicode-only", {"title": "\u00a0\u3000\u2009\u0085", "article_extra": "<VernacularTitle>\u3000</VernacularTitle>"}),
    Case("ws-not-whitespace", {"title": "Zero\u200bwidth\ufeffno-break\u180emongolian\u200djoiner"}),
    Case("ws-cdata", {"title": "<![CDATA[CDATA <title> & \"quotes\"]]> after",
                      "abstract": "<Abstract><AbstractText><![CDATA[Line one\n  two  spaces]]></AbstractText></Abstract>",
                      "keywords": "<KeywordList><Keyword>pre<![CDATA[ cd\tata ]]>post</Keyword></KeywordList>"}),
    Case("ws-comments-pis", {"title": "Com<!-- hidden -->ment and <?pi data?>PI",
                             "volume": "<Volume>1<!--x-->2</Volume>",
                             "abstract": "<Abstract><!-- c --><AbstractText>A<!-- c -->b  c</AbstractText></Abstract>"}),
    Case("ws-raw-crlf", {"title": "Raw\r\nCRLF and lone\rCR", "volume": "<Volume>a\rb</Volume>",
                         "pagination": "<Pagination><MedlinePgn>1\r\n-2</MedlinePgn></Pagination>"}),

    # ---- N-Quads escapes
    Case("escape-text", {"title": 'Back\\slash "dq" &quot;ent&quot; &amp; &lt;tag&gt; &apos;ap&apos; \\n literal',
                         "abstract": '<Abstract><AbstractText Label="Lab&#10;el" NlmCategory="Cat&quot;q">CR&#13;inside '
                                     'and tab&#9;ref</AbstractText><AbstractText Label="B\\S">x\\y</AbstractText></Abstract>',
                         "keywords": "<KeywordList><Keyword>kw\\back</Keyword><Keyword>kw&#13;cr</Keyword></KeywordList>"}),
    Case("escape-refs-newlines", {"title": "A&#13;&#10;B", "volume": "<Volume>V&#13;1</Volume>",
                                  "issue": "<Issue> 3 </Issue>",
                                  "pagination": "<Pagination><MedlinePgn>P&#10;2</MedlinePgn></Pagination>",
                                  "mc_attrs": 'Status="MED&#10;LINE" Owner="N&#13;LM" IndexingMethod="a&#9;b"'}),
    Case("escape-attr-normalised", {"abstract": '<Abstract><AbstractText Label="tab\there\nnewline">x</AbstractText>'
                                                '<AbstractText Label="  spaced  ">y</AbstractText></Abstract>'}),

    # ---- non-ASCII
    Case("non-ascii", {
        "title": "β-catenin in Müller cells: 日本語のタイトル 😀 &#x1F600; &#233;",
        "authors": _authors("<LastName>Müller</LastName><ForeName>José</ForeName><Initials>JM</Initials>"
                            "<AffiliationInfo><Affiliation>Université de Genève, 😀 lab, 北京</Affiliation></AffiliationInfo>",
                            "<LastName>王</LastName><ForeName>小明</ForeName>",
                            "<LastName>Łukasz</LastName><ForeName>Ångström</ForeName><Suffix>Ⅲ</Suffix>"),
        "keywords": "<KeywordList><Keyword>日本語</Keyword><Keyword>Ελληνικά</Keyword></KeywordList>",
        "grants": "<GrantList><Grant><GrantID>№ 5</GrantID><Agency>Fundação</Agency><Country>España</Country></Grant></GrantList>",
    }),

    # ---- abstracts
    Case("abstract-structured", {"abstract": (
        '<Abstract><AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Some <i>background</i>.</AbstractText>'
        '<AbstractText Label="METHODS" NlmCategory="METHODS"/>'
        '<AbstractText Label="RESULTS" NlmCategory="RESULTS">Results here.</AbstractText>'
        '<AbstractText NlmCategory="CONCLUSIONS">No label, a category.</AbstractText>'
        '<AbstractText Label="NOCAT">A label, no category.</AbstractText>'
        "<CopyrightInformation>© 2020 Someone.</CopyrightInformation></Abstract>")}, ordinary=True),
    Case("abstract-single-labelled", {"abstract": '<Abstract><AbstractText Label="OBJECTIVE" NlmCategory="OBJECTIVE">'
                                                  "One labelled section.</AbstractText></Abstract>"}, ordinary=True),
    Case("abstract-empty-label", {"abstract": '<Abstract><AbstractText Label="">Empty label.</AbstractText></Abstract>'}),
    Case("abstract-empty", {"abstract": "<Abstract><AbstractText/><AbstractText>  \n </AbstractText></Abstract>"}),
    Case("abstract-no-text", {"abstract": "<Abstract><CopyrightInformation>(c)</CopyrightInformation></Abstract>"}),
    Case("abstract-empty-then-labelled", {"abstract": '<Abstract><AbstractText Label="A"></AbstractText>'
                                                      "<AbstractText>only unlabelled text</AbstractText></Abstract>"}),
    Case("abstract-two-elements", {"abstract": "<Abstract><AbstractText>first</AbstractText></Abstract>"
                                               "<Abstract><AbstractText>second</AbstractText></Abstract>"}),
    Case("other-abstract", {"other_abstract": (
        '<OtherAbstract Type="Publisher" Language="ger"><AbstractText>Hallo</AbstractText><AbstractText>Welt</AbstractText>'
        "<CopyrightInformation>(c)</CopyrightInformation></OtherAbstract>"
        '<OtherAbstract Type="Publisher" Language="spa"> </OtherAbstract>'
        '<OtherAbstract Type="Publisher" Language="ger"><AbstractText>Hallo</AbstractText><AbstractText>Welt</AbstractText>'
        "<CopyrightInformation>(c)</CopyrightInformation></OtherAbstract>"
        '<OtherAbstract Type="AAMC">\n  <AbstractText Label="X">Spaced\n  out</AbstractText>\n</OtherAbstract>'
        '<OtherAbstract Type="plain">Leaf other abstract\twith tab</OtherAbstract>')}),

    # ---- dates
    Case("date-year-only", _date("<Year>2019</Year>"), ordinary=True),
    Case("date-month-name", _date("<Year>2019</Year><Month>Sep</Month>"), ordinary=True),
    Case("date-month-numeric", _date("<Year>2019</Year><Month>07</Month>")),
    Case("date-month-sept", _date("<Year>2019</Year><Month>Sept</Month>")),
    Case("date-month-long", _date("<Year>2019</Year><Month>SEPTEMBER</Month>")),
    Case("date-month-foreign", _date("<Year>2019</Year><Month>Janvier</Month>")),
    Case("date-month-spaces", _date("<Year> 2019 </Year><Month> 3 </Month><Day> 7 </Day>")),
    Case("date-full", _date("<Year>2020</Year><Month>Dec</Month><Day>31</Day>"), ordinary=True),
    Case("date-leap", _date("<Year>2020</Year><Month>Feb</Month><Day>29</Day>"), ordinary=True),
    Case("date-leap-2000", _date("<Year>2000</Year><Month>02</Month><Day>29</Day>")),
    Case("date-nonleap", _date("<Year>2021</Year><Month>Feb</Month><Day>29</Day>"), reject=True),
    Case("date-nonleap-1900", _date("<Year>1900</Year><Month>Feb</Month><Day>29</Day>"), reject=True),
    Case("date-april-31", _date("<Year>2020</Year><Month>Apr</Month><Day>31</Day>"), reject=True),
    Case("date-day-zero", _date("<Year>2020</Year><Month>Apr</Month><Day>0</Day>"), reject=True),
    Case("date-day-text", _date("<Year>2020</Year><Month>Apr</Month><Day>1st</Day>"), reject=True),
    Case("date-medline", _date("<MedlineDate>1998 Dec-1999 Jan</MedlineDate>"), ordinary=True),
    Case("date-medline-no-year", _date("<MedlineDate>Spring 2000</MedlineDate>")),
    Case("date-medline-spaces", _date("<MedlineDate>  2001  Summer </MedlineDate>")),
    Case("date-medline-and-year", _date("<Year>2005</Year><MedlineDate>2004-2005</MedlineDate>")),
    Case("date-medline-empty", _date("<MedlineDate></MedlineDate>")),
    Case("date-season", _date("<Year>2019</Year><Season>Spring</Season>")),
    Case("date-month-13", _date("<Year>2019</Year><Month>13</Month>"), reject=True),
    Case("date-month-0", _date("<Year>2019</Year><Month>0</Month>"), reject=True),
    Case("date-month-unknown", _date("<Year>2019</Year><Month>Foo</Month>"), reject=True),
    Case("date-month-blank", _date("<Year>2019</Year><Month> </Month>"), reject=True),
    Case("date-month-empty", _date("<Year>2019</Year><Month></Month>")),
    Case("date-day-without-month", _date("<Year>2019</Year><Day>5</Day>"), reject=True),
    Case("date-month-without-year", _date("<Month>May</Month>")),
    Case("date-year-text", _date("<Year>19x9</Year>"), reject=True),
    Case("date-year-empty", _date("<Year></Year><Month>May</Month>")),
    Case("date-year-short", _date("<Year>0999</Year><Month>1</Month><Day>2</Day>")),
    Case("date-year-long", _date("<Year>12345</Year>")),
    Case("date-empty-pubdate", _date("")),
    Case("date-no-pubdate", {"pubdate": ""}),
    Case("date-no-journal", {"journal": ""}),
    Case("date-articledate-ignored", {"article_extra": '<ArticleDate DateType="Electronic"><Year>2021</Year>'
                                                      "<Month>02</Month><Day>30</Day></ArticleDate>",
                                      "pubmed_data_extra": '<History><PubMedPubDate PubStatus="pubmed"><Year>2021</Year>'
                                                           "<Month>13</Month><Day>40</Day><Hour>0</Hour></PubMedPubDate></History>"
                                                           "<PublicationStatus>ppublish</PublicationStatus>",
                                      "medline_extra": "<DateCompleted><Year>2021</Year><Month>2</Month><Day>31</Day></DateCompleted>"}),

    # ---- PMIDs
    Case("pmid-version-2", {"pmid_el": '<PMID Version="2">@PMID@</PMID>'}, ordinary=True),
    Case("pmid-version-text", {"pmid_el": '<PMID Version="x">@PMID@</PMID>'}, reject=True),
    Case("pmid-version-empty", {"pmid_el": '<PMID Version="">@PMID@</PMID>'}),
    Case("pmid-version-leading-zero", {"pmid_el": '<PMID Version="03">@PMID@</PMID>'}),
    Case("pmid-version-zero", {"pmid_el": '<PMID Version="0">@PMID@</PMID>'}),
    Case("pmid-no-version", {"pmid_el": "<PMID>@PMID@</PMID>"}),
    Case("pmid-whitespace", {"pmid_el": '<PMID Version="1"> \n @PMID@\t</PMID>'}),
    Case("pmid-missing", {"pmid_el": ""}, reject=True),
    Case("pmid-blank", {"pmid_el": '<PMID Version="1"> </PMID>'}, reject=True),
    Case("pmid-leading-zero", {"pmid_el": '<PMID Version="1">0@PMID@</PMID>'}, reject=True),
    Case("pmid-not-digits", {"pmid_el": '<PMID Version="1">@PMID@a</PMID>'}, reject=True),
    Case("pmid-after-article", {"raw": None, "pmid_el": "", "medline_extra": '<PMID Version="1">@PMID@</PMID>'}),

    # ---- authors
    Case("author-full", {"authors": _authors(
        "<LastName>Smith</LastName><ForeName>John Paul</ForeName><Initials>JP</Initials><Suffix>Jr</Suffix>"
        f'<Identifier Source="ORCID">{ORCID}</Identifier>'
        "<AffiliationInfo><Affiliation>Dept A, Univ X.</Affiliation></AffiliationInfo>"
        "<AffiliationInfo><Affiliation>Dept B, Univ Y.</Affiliation><Identifier Source=\"ROR\">x</Identifier></AffiliationInfo>"
        "<AffiliationInfo><Affiliation>Dept A, Univ X.</Affiliation></AffiliationInfo>"
        "<AffiliationInfo><Affiliation> </Affiliation></AffiliationInfo>"
        "<AffiliationInfo><Affiliation>first</Affiliation><Affiliation>second ignored</Affiliation></AffiliationInfo>")},
        ordinary=True),
    Case("author-raw-initials-suffix", {"authors": _authors(
        "<LastName>Raw</LastName><ForeName>Ann</ForeName><Initials> A B </Initials><Suffix> III </Suffix>",
        "<LastName>Empty</LastName><Initials></Initials><Suffix/>",
        "<LastName>Nl</LastName><Initials>A\nB</Initials><Suffix>2nd\tgen</Suffix>")}),
    # kg:familyNameKey: full Unicode lower-casing (final sigma, dotted capital I, sharp s, Cyrillic), the
    # same bytes from the C mapping (through Python's str.lower) as from the Python one
    Case("author-family-name-key", {"authors": _authors(
        "<LastName>ÖZTÜRK</LastName><ForeName>Ayşe</ForeName>",
        "<LastName>ΟΔΥΣΣΕΥΣ</LastName>",
        "<LastName>İnan</LastName><Initials>İ</Initials>",
        "<LastName>STRAẞE</LastName>",
        "<LastName>Иванов</LastName>",
        "<LastName>O\"Brien &amp; McDONALD</LastName>")}),
    Case("author-collective", {"authors": _authors(
        "<CollectiveName>The Consortium</CollectiveName>",
        "<LastName>Lead</LastName><CollectiveName>Group with a last name</CollectiveName>",
        "<CollectiveName/>",
        "<CollectiveName>  </CollectiveName><ForeName>Fore only</ForeName>",
        "<CollectiveName>Group\n  on two lines</CollectiveName>")}),
    Case("author-orcid-forms", {"authors": _authors(
        "<LastName>Url</LastName><Identifier Source=\"ORCID\">https://orcid.org/0000-0002-1825-0097</Identifier>",
        "<LastName>Http</LastName><Identifier Source=\"ORCID\">http://orcid.org/0000-0001-5109-3700</Identifier>",
        "<LastName>NoDash</LastName><Identifier Source=\"ORCID\">0000000218250097</Identifier>",
        "<LastName>LowerX</LastName><Identifier Source=\"ORCID\">0000-0002-1694-233x</Identifier>",
        "<LastName>Spaces</LastName><Identifier Source=\"ORCID\"> 0000 0002 1825 0097 </Identifier>",
        "<LastName>Two</LastName><Identifier Source=\"ORCID\">0000-0001-5109-3700</Identifier>"
        "<Identifier Source=\"ORCID\">0000-0002-1694-2339</Identifier>",
        "<LastName>SecondBad</LastName><Identifier Source=\"ORCID\">0000-0001-5109-3700</Identifier>"
        "<Identifier Source=\"ORCID\">not an orcid</Identifier>",
        "<LastName>LowerSource</LastName><Identifier Source=\"orcid\">0000-0003-1415-9265</Identifier>",
        "<LastName>Isni</LastName><Identifier Source=\"ISNI\">0000000121032683</Identifier>",
        "<LastName>Short</LastName><Identifier Source=\"ORCID\">1234-5678</Identifier>",
        "<LastName>Tab</LastName><Identifier Source=\"ORCID\">0000-0002-\t1825-0097</Identifier>",
        "<LastName>Long</LastName><Identifier Source=\"ORCID\">00000002182500971234</Identifier>",
        "<LastName>MixedDash</LastName><Identifier Source=\"ORCID\">0000-00021825-0097</Identifier>",
        "<LastName>Empty</LastName><Identifier Source=\"ORCID\"></Identifier>",
        "<LastName>NoSource</LastName><Identifier>0000-0002-1825-0097</Identifier>")}),
    Case("author-old-affiliation-article", {
        "article_extra": "<Affiliation>Old  style\n  affiliation. </Affiliation>",
        "authors": _authors("<LastName>First</LastName>", "<LastName>Second</LastName>")}),
    Case("author-old-affiliation-ignored", {
        "article_extra": "<Affiliation>Old style ignored</Affiliation>",
        "authors": _authors("<LastName>First</LastName><AffiliationInfo><Affiliation>New</Affiliation></AffiliationInfo>")}),
    Case("author-old-affiliation-blank", {
        "article_extra": "<Affiliation>   </Affiliation>",
        "authors": _authors("<LastName>First</LastName><ForeName>F</ForeName>")}),
    Case("author-old-affiliation-no-authors", {"article_extra": "<Affiliation>Nobody's</Affiliation>", "authors": ""}),
    Case("author-old-affiliation-markup", {
        "article_extra": "<Affiliation> Dept <i>X</i> tail </Affiliation>",
        "authors": _authors("<LastName>First</LastName>")}),
    Case("author-direct-affiliation", {"authors": _authors(
        "<LastName>Direct</LastName><Affiliation> Direct <i>markup</i> aff </Affiliation>",
        "<LastName>Blank</LastName><Affiliation>   </Affiliation>",
        "<LastName>Both</LastName><Affiliation>Direct\n  one</Affiliation>"
        "<AffiliationInfo><Affiliation>Info one</Affiliation></AffiliationInfo>",
        "<LastName>Empty</LastName><Affiliation/>")}),
    Case("author-valid-n", {"authors": '<AuthorList CompleteYN="N"><Author ValidYN="N"><LastName>Wrong</LastName>'
                                       '</Author><Author ValidYN="Y"><LastName>Right</LastName></Author>'
                                       '<Author><LastName>Unflagged</LastName></Author></AuthorList>'}),
    Case("author-empty", {"authors": '<AuthorList><Author/><Author ValidYN="Y"> </Author>'
                                     "<Author><ForeName> </ForeName><LastName></LastName></Author></AuthorList>"}),
    Case("author-two-lists", {"authors": _authors("<LastName>Author</LastName>")
                              + '<AuthorList Type="editors"><Author><LastName>Editor</LastName></Author></AuthorList>'}),
    Case("author-repeated-fields", {"authors": _authors(
        "<LastName>One</LastName><LastName>Two</LastName><ForeName>A</ForeName><ForeName>B</ForeName>"
        "<Initials>X</Initials><Initials>Y</Initials>")}),
    Case("investigators", {"investigators": (
        '<InvestigatorList><Investigator ValidYN="Y"><LastName>Inv</LastName><ForeName>Estigator</ForeName>'
        "<Initials>E</Initials><Identifier Source=\"ORCID\">0000-0002-1825-0097</Identifier>"
        "<AffiliationInfo><Affiliation>Inv Dept</Affiliation></AffiliationInfo></Investigator>"
        '<Investigator ValidYN="Y"><LastName>Second</LastName><Suffix>Sr</Suffix></Investigator>'
        "<Investigator><CollectiveName>Inv group</CollectiveName></Investigator></InvestigatorList>"),
        "authors": _authors("<LastName>Inv</LastName><ForeName>Estigator</ForeName>")}, ordinary=True),

    # ---- journals
    Case("journal-no-nlm-id", {"issn": '<ISSN IssnType="Print">0028-0836</ISSN><ISSN IssnType="Electronic">1476-4687</ISSN>',
                               "mji": "<MedlineJournalInfo><Country>England</Country><MedlineTA>Nature</MedlineTA></MedlineJournalInfo>"},
         ordinary=True),
    Case("journal-electronic-only-no-mji", {"issn": '<ISSN IssnType="Electronic">1476-4687</ISSN>', "mji": ""}),
    Case("journal-linking-first", {"issn": '<ISSN IssnType="Print">0028-0836</ISSN>',
                                   "mji": "<MedlineJournalInfo><ISSNLinking>1476-4687</ISSNLinking></MedlineJournalInfo>"}),
    Case("journal-issn-types", {"issn": '<ISSN>1111-2222</ISSN><ISSN IssnType="Print">3333-444X</ISSN>'
                                        '<ISSN IssnType="Undetermined">5555-6666</ISSN><ISSN IssnType="Electronic"> 7777-888x </ISSN>'
                                        '<ISSN IssnType="Electronic"></ISSN>', "mji": ""}),
    Case("journal-issn-malformed", {"issn": '<ISSN IssnType="Print">1234-567</ISSN>', "mji": ""}),
    Case("journal-issn-needs-quoting", {"issn": '<ISSN IssnType="Print">12 34/5678 ü</ISSN>', "mji": ""}),
    Case("journal-issn-linking-spaces", {"issn": "",
                                         "mji": "<MedlineJournalInfo><ISSNLinking> 1234-5678 </ISSNLinking></MedlineJournalInfo>"}),
    Case("journal-issn-linking-newline", {"issn": "",
                                          "mji": "<MedlineJournalInfo><ISSNLinking>1234-5678\n</ISSNLinking></MedlineJournalInfo>"}),
    Case("journal-nlm-id-quoting", {"mji": "<MedlineJournalInfo><MedlineTA> TA  spaced </MedlineTA>"
                                           "<NlmUniqueID>A B/Ç é%#?</NlmUniqueID><Country> Country </Country></MedlineJournalInfo>"}),
    Case("journal-nlm-id-spaces", {"mji": "<MedlineJournalInfo><NlmUniqueID> 7501160 </NlmUniqueID></MedlineJournalInfo>"}),
    Case("journal-nlm-id-empty", {"issn": '<ISSN IssnType="Print">0028-0836</ISSN>',
                                  "mji": "<MedlineJournalInfo><NlmUniqueID></NlmUniqueID></MedlineJournalInfo>"}),
    Case("journal-no-id", {"issn": "", "mji": "<MedlineJournalInfo><Country>Nowhere</Country></MedlineJournalInfo>"}),
    Case("journal-title-only", {"journal": "<Journal><Title>Lonely  Journal</Title></Journal>", "mji": ""}),

    # ---- article identifiers
    Case("ids-eloc-doi", {"eloc": '<ELocationID EIdType="pii" ValidYN="Y">S0000-1</ELocationID>'
                                  '<ELocationID EIdType="doi" ValidYN="Y"> 10.1000/eloc.1 </ELocationID>'}, ordinary=True),
    Case("ids-articleid-doi-wins", {"eloc": '<ELocationID EIdType="doi" ValidYN="Y">10.1000/eloc.2</ELocationID>'
                                            '<ELocationID EIdType="pii">eloc-pii</ELocationID>',
                                    "articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/aid.2"), ("pii", "aid-pii"))}),
    Case("ids-uppercase-idtype", {"articleids": _ids(("pubmed", "@PMID@"), ("DOI", "10.1000/upper"), ("PMC", "PMC1"))}),
    Case("ids-blank-doi-then-eloc", {"eloc": '<ELocationID EIdType="doi">10.1000/eloc.3</ELocationID>',
                                     "articleids": _ids(("pubmed", "@PMID@"), ("doi", "  "), ("doi", "10.1000/second"),
                                                        ("pmc", " "), ("pii", ""))}),
    Case("ids-eloc-invalid", {"eloc": '<ELocationID EIdType="doi" ValidYN="N">10.1000/not valid</ELocationID>'
                                      '<ELocationID EIdType="doi">10.1000/second.eloc</ELocationID>'}),
    Case("ids-eloc-empty", {"eloc": '<ELocationID EIdType="doi"></ELocationID><ELocationID EIdType="doi">10.1/x</ELocationID>'}),
    Case("doi-space", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/x y"))}),
    Case("doi-11", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "11.1/x"))}),
    Case("doi-no-registrant", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10./x"))}),
    Case("doi-no-suffix", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1/"))}),
    Case("doi-double-slash", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1//x"))}),
    Case("doi-sici", {"articleids": _ids(("pubmed", "@PMID@"),
                                         ("doi", "10.1002/(SICI)1097-0142(19990101)85:1&lt;123::AID-CNCR17&gt;3.0.CO;2-#"))}),
    Case("doi-quote-backslash", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", '10.1000/a"b\\c'))}),
    Case("doi-nbsp", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/a\u00a0b"))}),
    Case("doi-non-ascii", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/ü日本"), ("pmc", "PMC 12"))}),

    # ---- references
    Case("references", {
        **_refs('<Citation>Leading zero.</Citation><ArticleIdList><ArticleId IdType="pubmed">0123</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="pubmed"></ArticleId><ArticleId IdType="pubmed">4567</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="pubmed"> 8910 </ArticleId><ArticleId IdType="pubmed">1112</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="pubmed">12a</ArticleId><ArticleId IdType="doi">10.1000/fallback</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="pubmed">PMC5</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">10.1002/(SICI)1097-0142(19990101)85:1&lt;123::AID-CNCR17&gt;3.0.CO;2-#</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">10.1000/ümlaut~tilde%pct+plus[b]{c}|p^q`r</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">10.1000/a b</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">11.1000/bad</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi"> </ArticleId><ArticleId IdType="doi">10.1000/second-doi</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">10.1000/first</ArticleId><ArticleId IdType="doi">10.1000/ignored</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="PubMed">999</ArticleId><ArticleId IdType="pmc">PMC7</ArticleId></ArticleIdList>',
                "<Citation>No ids.</Citation>",
                '<ArticleIdList><ArticleId IdType="pubmed">4567</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">10.1000/fallback</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="pubmed">2222</ArticleId><ArticleId IdType="doi">10.1000/both</ArticleId></ArticleIdList>',
                '<ArticleIdList><ArticleId IdType="doi">10.1000/x\\y"z</ArticleId></ArticleIdList>'),
    }),
    Case("references-nested-and-repeated-lists", {"pubmed_data_extra": (
        '<ReferenceList><Title>Refs</Title><Reference><ArticleIdList><ArticleId IdType="pubmed">3001</ArticleId></ArticleIdList></Reference>'
        '<ReferenceList><Reference><ArticleIdList><ArticleId IdType="pubmed">3002</ArticleId></ArticleIdList></Reference></ReferenceList>'
        "</ReferenceList>"
        '<ReferenceList><Reference><ArticleIdList><ArticleId IdType="pubmed">3003</ArticleId></ArticleIdList></Reference>'
        '<Reference><ArticleIdList><ArticleId IdType="pubmed">3001</ArticleId></ArticleIdList></Reference></ReferenceList>')}),

    # ---- keywords, languages
    Case("keywords-languages-repeated", {
        "languages": "<Language>eng</Language><Language>fre</Language><Language>eng</Language><Language> </Language>"
                     "<Language></Language><Language> ger </Language>",
        "keywords": ('<KeywordList Owner="NOTNLM"><Keyword>alpha</Keyword><Keyword>beta</Keyword><Keyword>alpha</Keyword>'
                     "<Keyword> alpha </Keyword><Keyword></Keyword><Keyword>  </Keyword></KeywordList>"
                     '<KeywordList Owner="NLM"><Keyword>beta</Keyword><Keyword>gamma\n delta</Keyword></KeywordList>')},
         ordinary=True),
    Case("keyword-default-namespace", {"keywords": '<KeywordList><Keyword xmlns="urn:x:other">namespaced</Keyword>'
                                                   "<Keyword>plain</Keyword></KeywordList>"}),

    # ---- MeSH
    Case("mesh", _mesh(
        '<MeshHeading><DescriptorName MajorTopicYN="N">No UI</DescriptorName></MeshHeading>',
        '<MeshHeading MajorTopicYN="Y"><DescriptorName UI="D000001">Heading major 2013</DescriptorName></MeshHeading>',
        '<MeshHeading MajorTopicYN="Y"><DescriptorName UI="D000002" MajorTopicYN="N">Descriptor says N</DescriptorName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D000003" MajorTopicYN="Y" AutoHM="Y">AutoHM Y</DescriptorName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D000004" MajorTopicYN="N" AutoHM="N">AutoHM N</DescriptorName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D005842" MajorTopicYN="N" Type="Geographic">Germany</DescriptorName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D015179" MajorTopicYN="N">Colorectal Neoplasms</DescriptorName>'
        '<QualifierName UI="Q000473" MajorTopicYN="Y">pathology</QualifierName>'
        '<QualifierName UI="Q000188" MajorTopicYN="N" AutoHM="Y">drug therapy</QualifierName>'
        '<QualifierName MajorTopicYN="Y">no ui</QualifierName>'
        "<QualifierName UI=\"Q000628\"/></MeshHeading>",
        '<MeshHeading><DescriptorName UI="D015179" MajorTopicYN="Y">Colorectal Neoplasms</DescriptorName>'
        '<QualifierName UI="Q000473" MajorTopicYN="Y">pathology</QualifierName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="C000657245" MajorTopicYN="y">C UI lower y</DescriptorName></MeshHeading>',
        '<MeshHeading><QualifierName UI="Q000473">qualifier without descriptor</QualifierName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D000006" Type=""/></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D000007" AutoHM="">Empty AutoHM</DescriptorName>'
        '<QualifierName UI="Q000008" MajorTopicYN="" AutoHM="">empty flags</QualifierName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>')),
    Case("mesh-repeated-pairs", _mesh(
        '<MeshHeading><DescriptorName UI="D008113" MajorTopicYN="N">Liver Neoplasms</DescriptorName>'
        '<QualifierName UI="Q000556" MajorTopicYN="Y">secondary</QualifierName>'
        '<QualifierName UI="Q000556" MajorTopicYN="Y">secondary</QualifierName></MeshHeading>',
        '<MeshHeading><DescriptorName UI="D008113" MajorTopicYN="Y">Liver Neoplasms</DescriptorName></MeshHeading>'),
        ordinary=True),
    Case("chemicals-suppl", {
        "chemicals": ("<ChemicalList><Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance UI=\"D019307\">HGF</NameOfSubstance></Chemical>"
                      "<Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance>No UI</NameOfSubstance></Chemical>"
                      "<Chemical><RegistryNumber>0</RegistryNumber></Chemical>"
                      "<Chemical><NameOfSubstance UI=\"D019307\">HGF again</NameOfSubstance></Chemical></ChemicalList>"),
        "suppl": ('<SupplMeshList><SupplMeshName Type="Disease" UI="C538231">Some disease</SupplMeshName>'
                  '<SupplMeshName Type="Protocol">No UI</SupplMeshName>'
                  '<SupplMeshName Type="Organism" UI="C000657245">covid</SupplMeshName></SupplMeshList>')}),
    # issue 16: a malformed MeSH UI rejects the record (it used to lose its IRI silently); both readers agree
    Case("mesh-qualifier-ui-short", _mesh('<MeshHeading><DescriptorName UI="D015179">Colorectal Neoplasms</DescriptorName>'
                                          '<QualifierName UI="Q12" MajorTopicYN="N">bad ui</QualifierName></MeshHeading>'),
         reject=True),
    Case("mesh-descriptor-ui-short", _mesh('<MeshHeading><DescriptorName UI="D12" MajorTopicYN="Y">Bad UI</DescriptorName>'
                                           '</MeshHeading>'), reject=True),
    Case("mesh-descriptor-ui-m", _mesh('<MeshHeading><DescriptorName UI="M0001234">M UI</DescriptorName></MeshHeading>'),
         reject=True),
    Case("mesh-descriptor-ui-ten-digits", _mesh('<MeshHeading><DescriptorName UI="D0000011234">Ten digits</DescriptorName>'
                                                '</MeshHeading>'), reject=True),
    Case("mesh-descriptor-ui-spaced", _mesh('<MeshHeading><DescriptorName UI=" D000005">Spaced UI</DescriptorName>'
                                            '</MeshHeading>'), reject=True),
    Case("chemical-ui-bad", {"chemicals": '<ChemicalList><Chemical><NameOfSubstance UI="X1">bad ui</NameOfSubstance>'
                                          '</Chemical></ChemicalList>'}, reject=True),
    Case("suppl-ui-bad", {"suppl": '<SupplMeshList><SupplMeshName Type="Disease" UI="C53">x</SupplMeshName></SupplMeshList>'},
         reject=True),
    Case("pubtype-ui-bad", {"pubtypes": '<PublicationTypeList><PublicationType UI="D01">Journal Article</PublicationType>'
                                        '</PublicationTypeList>'}, reject=True),
    Case("pubtype-review-ui", {"pubtypes": '<PublicationTypeList><PublicationType UI="D016454">Something else</PublicationType></PublicationTypeList>'}),
    Case("pubtype-review-name", {"pubtypes": "<PublicationTypeList><PublicationType>Review</PublicationType></PublicationTypeList>"}),
    Case("pubtype-review-name-spaces", {"pubtypes": "<PublicationTypeList><PublicationType UI=\"\"> Review </PublicationType></PublicationTypeList>"}),
    Case("pubtype-review-lowercase", {"pubtypes": "<PublicationTypeList><PublicationType>review</PublicationType></PublicationTypeList>"}),
    Case("pubtype-systematic", {"pubtypes": '<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>'
                                            '<PublicationType UI="D000078182">Systematic Review</PublicationType>'
                                            '<PublicationType UI="D017418">Meta-Analysis</PublicationType>'
                                            '<PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>'},
         ordinary=True),
    Case("pubtype-none", {"pubtypes": ""}),
    Case("grants", {"grants": (
        '<GrantList CompleteYN="Y"><Grant><GrantID>R01 CA123456</GrantID><Acronym>CA</Acronym><Agency>NCI NIH HHS</Agency>'
        "<Country>United States</Country></Grant>"
        "<Grant><Agency>Agency only</Agency></Grant>"
        "<Grant/>"
        "<Grant><GrantID> spaced id </GrantID><Country></Country><Acronym>  </Acronym></Grant>"
        "<Grant><GrantID>R01 CA123456</GrantID><Acronym>CA</Acronym><Agency>NCI NIH HHS</Agency><Country>United States</Country></Grant>"
        "<Grant><GrantID>a<i>b</i>c</GrantID><Agency>line\nbreak</Agency></Grant></GrantList>")}),
    Case("comments-corrections", {"comments": (
        "<CommentsCorrectionsList>"
        '<CommentsCorrections RefType="CommentOn"><RefSource>Src 1</RefSource><PMID Version="1">1001</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="ErratumIn"><RefSource>Src 2</RefSource><PMID> 1002 </PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="RetractionIn"><RefSource>No PMID</RefSource></CommentsCorrections>'
        '<CommentsCorrections RefType="Cites"><RefSource>Unknown type</RefSource><PMID>1003</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="commentOn"><PMID>1004</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="UpdateOf"><PMID>10a5</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="CorrectedandRepublishedIn"><PMID>1006</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="CommentOn"><PMID>1001</PMID></CommentsCorrections>'
        '<CommentsCorrections><PMID>1007</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="OriginalReportIn"><PMID>0108</PMID></CommentsCorrections>'
        '<CommentsCorrections RefType="ExpressionOfConcernIn"><PMID></PMID></CommentsCorrections>'
        "</CommentsCorrectionsList>")}),
    Case("status-attrs-missing", {"mc_attrs": ""}),
    Case("status-attrs-empty", {"mc_attrs": 'Status="" Owner="" IndexingMethod=""'}),
    Case("status-attrs-all", {"mc_attrs": 'Status="In-Data-Review" Owner="PIP" IndexingMethod="Curated" VersionID="2" '
                                          'VersionDate="2020/01/01"'}),
    Case("unknown-elements-and-order", {
        "medline_extra": ("<DateRevised><Year>2020</Year><Month>13</Month><Day>1</Day></DateRevised>"
                          "<CitationSubset>IM</CitationSubset><GeneralNote Owner=\"NLM\">note</GeneralNote>"
                          "<CoiStatement>None <i>declared</i>.</CoiStatement><OtherID Source=\"NLM\">PMC1</OtherID>"),
        "article_extra": ("<DataBankList><DataBank><DataBankName>GEO</DataBankName><AccessionNumberList>"
                          "<AccessionNumber>GSE1</AccessionNumber></AccessionNumberList></DataBank></DataBankList>"),
        "pubmed_data_extra": "<PublicationStatus>epublish</PublicationStatus>"}),
    Case("elements-out-of-order", {"raw": (
        '<PubmedArticle><PubmedData><ArticleIdList><ArticleId IdType="doi">10.1000/ooo</ArticleId></ArticleIdList></PubmedData>'
        '<MedlineCitation Owner="NLM" Status="MEDLINE"><KeywordList><Keyword>kw</Keyword></KeywordList>'
        "<MedlineJournalInfo><NlmUniqueID>7777777</NlmUniqueID></MedlineJournalInfo>"
        '<Article><Language>eng</Language><AuthorList><Author><LastName>Late</LastName></Author></AuthorList>'
        "<ArticleTitle>Out of order</ArticleTitle><Journal><Title>J</Title><JournalIssue><PubDate><Month>May</Month>"
        "<Year>2001</Year></PubDate><Volume>1</Volume></JournalIssue><ISSN>1234-5678</ISSN></Journal></Article>"
        '<PMID Version="1">@PMID@</PMID></MedlineCitation></PubmedArticle>\n')}),
    Case("no-medline-citation", {"raw": "<PubmedArticle><PubmedData/></PubmedArticle>\n"}, reject=True),
    Case("no-article", {"raw": '<PubmedArticle><MedlineCitation><PMID Version="1">@PMID@</PMID></MedlineCitation>'
                               "</PubmedArticle>\n"}, reject=True),
    Case("minimal-article", {"raw": '<PubmedArticle><MedlineCitation><PMID Version="1">@PMID@</PMID><Article/>'
                                    "</MedlineCitation></PubmedArticle>\n"}),
    Case("article-no-pubmeddata", {"raw": '<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">@PMID@</PMID>'
                                          "<Article><ArticleTitle>No PubmedData</ArticleTitle></Article>"
                                          "</MedlineCitation></PubmedArticle>\n"}),
    Case("book", {"raw": (
        "<PubmedBookArticle><BookDocument><PMID Version=\"1\">@PMID@</PMID>"
        '<ArticleIdList><ArticleId IdType="bookaccession">NBK1</ArticleId><ArticleId IdType="doi">10.1000/book</ArticleId></ArticleIdList>'
        '<Book><Publisher><PublisherName>Pub  House</PublisherName></Publisher><BookTitle book="x">The <i>Book</i></BookTitle>'
        "<PubDate><Year>2010</Year><Month>Feb</Month><Day>29</Day></PubDate>"
        '<AuthorList Type="editors"><Author><LastName>Editor</LastName></Author></AuthorList></Book>'
        '<AuthorList Type="authors"><Author><LastName>Chapter</LastName><ForeName>Author</ForeName></Author></AuthorList>'
        "<ArticleTitle>A chapter</ArticleTitle><Language>eng</Language>"
        '<Abstract><AbstractText Label="INTRO">Book abstract.</AbstractText></Abstract>'
        "<PublicationType UI=\"D016454\">Review</PublicationType></BookDocument></PubmedBookArticle>\n")}, reject=True),
    Case("book-chapter", {"raw": (
        "<PubmedBookArticle><BookDocument><PMID Version=\"1\">@PMID@</PMID>"
        '<ArticleIdList><ArticleId IdType="bookaccession">NBK2</ArticleId></ArticleIdList>'
        "<Book><Publisher><PublisherName>Pub</PublisherName></Publisher><BookTitle>Whole book</BookTitle>"
        "<PubDate><Year>2012</Year></PubDate>"
        '<AuthorList Type="authors"><Author><LastName>BookAuthor</LastName></Author></AuthorList></Book>'
        "<ArticleTitle>Chapter title</ArticleTitle><KeywordList><Keyword>k</Keyword></KeywordList>"
        "</BookDocument><PubmedBookData><ArticleIdList><ArticleId IdType=\"pubmed\">@PMID@</ArticleId></ArticleIdList>"
        '<ReferenceList><Reference><ArticleIdList><ArticleId IdType="pubmed">42</ArticleId></ArticleIdList></Reference>'
        "</ReferenceList></PubmedBookData></PubmedBookArticle>\n")}),
    Case("book-whole", {"raw": (
        "<PubmedBookArticle><BookDocument><PMID Version=\"1\">@PMID@</PMID><Book><BookTitle>Only a book</BookTitle>"
        "<PubDate><Year>2013</Year></PubDate></Book></BookDocument></PubmedBookArticle>\n")}),
    Case("delete-citation", {"raw": ('<DeleteCitation><PMID Version="1">@PMID@</PMID><PMID Version="1"> 77 </PMID>'
                                     "<PMID>0123</PMID><PMID>12x</PMID><PMID/></DeleteCitation>\n")}),
]


# Second batch: Unicode whitespace where Python strips (str.strip, int()), number sizes, percent-encoding of
# every ASCII punctuation mark, element names that extend known ones, namespaced look-alikes.
PUNCT = "!#$%&amp;'*+,=?@[]^`{|}~ :;()._-"
EDGE_CASES += [
    Case("unicode-strip-pmid", {"pmid_el": '<PMID Version="1">\u00a0@PMID@\u3000</PMID>'}),
    Case("unicode-strip-ids", {
        "articleids": _ids(("pubmed", "@PMID@"), ("doi", "\u00a010.1000/nbsp.strip\u2009"), ("pmc", "\u3000PMC9\u00a0")),
        "eloc": '<ELocationID EIdType="pii">\u00a0pii\u00a0</ELocationID>',
        "issn": '<ISSN IssnType="Print">\u00a01234-5678\u00a0</ISSN>', "mji": "",
        "languages": "<Language>\u00a0eng\u2009</Language>",
        **_refs('<ArticleIdList><ArticleId IdType="pubmed">\u00a04242\u00a0</ArticleId></ArticleIdList>'),
        "comments": '<CommentsCorrectionsList><CommentsCorrections RefType="CommentOn"><PMID>\u00a04343\u00a0</PMID>'
                    "</CommentsCorrections></CommentsCorrectionsList>"}),
    Case("unicode-strip-date", _date("<Year>\u00a02020\u3000</Year><Month>\u2009Feb\u00a0</Month><Day>\u00a029\u0085</Day>")),
    Case("unicode-strip-medline-date", _date("<MedlineDate>\u00a01999 Fall\u3000</MedlineDate>")),
    Case("unicode-strip-affiliations", {
        "article_extra": "<Affiliation>\u00a0Old\u00a0aff\u3000</Affiliation>",
        "authors": _authors("<LastName>A</LastName>", "<LastName>B</LastName><Affiliation>\u2009Direct\u00a0</Affiliation>")}),
    Case("doi-unicode-space-inside", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/a\u3000b")),
                                      **_refs('<ArticleIdList><ArticleId IdType="doi">10.1000/r\u0085s</ArticleId></ArticleIdList>',
                                              '<ArticleIdList><ArticleId IdType="doi">10.1000/zero\u200bwidth</ArticleId></ArticleIdList>')}),
    Case("doi-every-punctuation", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/" + PUNCT.replace(" ", ""))),
                                   **_refs(f'<ArticleIdList><ArticleId IdType="doi">10.1000/{PUNCT.replace(" ", "")}&lt;&gt;&quot;\\</ArticleId></ArticleIdList>',
                                           '<ArticleIdList><ArticleId IdType="doi">10.1000/\U0001F600\u00e9\u65e5</ArticleId></ArticleIdList>')}),
    Case("nlm-id-every-punctuation", {"mji": f"<MedlineJournalInfo><NlmUniqueID>{PUNCT}&lt;&gt;&quot;\\\U0001F600</NlmUniqueID></MedlineJournalInfo>"}),
    Case("issn-every-punctuation", {"issn": f'<ISSN IssnType="Print">{PUNCT}\u00e9</ISSN>', "mji": ""}),
    Case("numbers-huge", {"pmid_el": '<PMID Version="99999999999999999999">@PMID@</PMID>',
                          **_date("<Year>99999999999999999999</Year><Month>2</Month><Day>28</Day>")}),
    Case("numbers-leading-zeros", {"pmid_el": '<PMID Version="00000000000000000000001">@PMID@</PMID>',
                                   **_date("<Year>02020</Year><Month>002</Month><Day>0029</Day>")}),
    Case("date-year-zero", _date("<Year>0</Year><Month>2</Month><Day>29</Day>"), reject=True),
    Case("date-year-zeros-no-day", _date("<Year>0000</Year>"), reject=True),
    Case("date-year-10000", _date("<Year>10000</Year><Month>Feb</Month><Day>29</Day>")),
    Case("date-2100-nonleap", _date("<Year>2100</Year><Month>Feb</Month><Day>29</Day>"), reject=True),
    Case("date-2400-leap", _date("<Year>2400</Year><Month>Feb</Month><Day>29</Day>")),
    Case("date-month-variants", _date("<Year>2019</Year><Month>May.</Month><Day>01</Day>")),
    Case("date-month-febuary", _date("<Year>2019</Year><Month>febuary</Month>")),
    Case("date-month-two-letters", _date("<Year>2019</Year><Month>Ju</Month>"), reject=True),
    Case("date-month-accented", _date("<Year>2019</Year><Month>Déc</Month>"), reject=True),
    Case("date-year-plus", _date("<Year>+2019</Year>"), reject=True),
    Case("date-day-plus", _date("<Year>2019</Year><Month>1</Month><Day>+1</Day>"), reject=True),
    Case("date-parts-markup", _date("<Year>20<i>19</i></Year><Month>Jan</Month>")),
    Case("date-parts-repeated", _date("<Year>2019</Year><Year>2018</Year><Month>Jan</Month><Month>Foo</Month>")),
    Case("char-refs-whitespace", {"title": "A&#160;&#160;B&#x2009;C&#32;&#32;D&#9;E",
                                  "article_extra": "<VernacularTitle>&#x85;X&#x3000;Y&#x85;</VernacularTitle>",
                                  "keywords": "<KeywordList><Keyword>k&#9;w</Keyword><Keyword>k&#10;w</Keyword></KeywordList>"}),
    Case("char-refs-in-attributes", {
        "abstract": '<Abstract><AbstractText Label="A &amp; B &lt;C&gt; &#x1F600; &#9;t" NlmCategory="&#34;q&#34;">x</AbstractText>'
                    '<AbstractText Label="&#92;back">y</AbstractText></Abstract>',
        **_mesh('<MeshHeading><DescriptorName UI="D&#48;15179" MajorTopicYN="&#89;">Ref UI</DescriptorName></MeshHeading>'),
        "pmid_el": '<PMID Version="&#50;">@PMID@</PMID>'}),
    Case("del-and-nonchars", {"title": "DEL\x7f char, U+FDD0 \ufdd0, U+FFFD \ufffd, U+10FFFD \U0010fffd"}),
    Case("self-closing-and-spaces", {"title_el": "<ArticleTitle/>", "abstract": "<Abstract ><AbstractText\n>x</AbstractText\n></Abstract>",
                                     "languages": "<Language/><Language >eng</Language >",
                                     "keywords": "<KeywordList><Keyword/></KeywordList>"}),
    Case("look-alike-names", {
        "article_extra": ("<ArticleTitleExtra>not a title</ArticleTitleExtra><LanguageX>xx</LanguageX>"
                          "<Affiliations>not an affiliation</Affiliations><ELocationIDs EIdType=\"doi\">10.1000/no</ELocationIDs>"),
        "medline_extra": ("<PMIDList><PMID>1</PMID></PMIDList><KeywordLists><Keyword>no</Keyword></KeywordLists>"
                          "<MeshHeadingLists><MeshHeading><DescriptorName UI=\"D000001\">no</DescriptorName></MeshHeading></MeshHeadingLists>"),
        "authors": _authors("<LastNames>no</LastNames><LastName>Yes</LastName><ForeNameX>no</ForeNameX>"
                            "<AffiliationInfos><Affiliation>no</Affiliation></AffiliationInfos>")}),
    Case("namespaced-look-alikes", {
        "title_el": ('<x:ArticleTitle xmlns:x="urn:x">prefixed, not the title</x:ArticleTitle>'
                     "<ArticleTitle>the title</ArticleTitle>"),
        "languages": '<Language xmlns="urn:y">ns</Language><Language>eng</Language>',
        "mji": ('<MedlineJournalInfo><NlmUniqueID xmlns="urn:z">ns</NlmUniqueID><NlmUniqueID>1234567</NlmUniqueID>'
                "</MedlineJournalInfo>")}),
    Case("default-namespace-on-article", {"raw": (
        '<PubmedArticle><MedlineCitation><PMID Version="1">@PMID@</PMID><Article xmlns="urn:a">'
        "<ArticleTitle>hidden</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")}, reject=True),
    Case("xmlns-empty-redeclared", {"raw": (
        '<PubmedArticle><MedlineCitation><PMID Version="1">@PMID@</PMID><Article xmlns="">'
        "<ArticleTitle>visible</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")}),
    Case("many-authors", {"authors": _authors(*[f"<LastName>Author{k}</LastName><ForeName>F{k}</ForeName>"
                                                f"<AffiliationInfo><Affiliation>Aff {k % 7}</Affiliation></AffiliationInfo>"
                                                for k in range(1500)])}, ordinary=True),
    Case("long-text", {"title": "Long " + "word\u00e9 " * 20000,
                       "abstract": "<Abstract><AbstractText>" + ("x" * 70000) + "<i>y</i>" + ("z\t" * 40000)
                                   + "</AbstractText></Abstract>"}, ordinary=True),
    Case("deep-markup", {"title": "<b>" * 200 + "deep" + "</b>tail" * 200}),
    Case("affiliationinfo-without-affiliation", {"authors": _authors(
        "<LastName>A</LastName><AffiliationInfo><Identifier Source=\"GRID\">g</Identifier></AffiliationInfo>",
        "<LastName>B</LastName><Identifier Source=\" ORCID\">0000-0002-1825-0097</Identifier>"
        "<Identifier Source=\"Orcid\">0000-0001-5109-3700</Identifier>")}),
]


def _random_article(rng: random.Random, i: int) -> Case:
    """An ordinary article combining the features above at random (no rejected parts)."""
    titles = ["Role of <i>HGF</i> in liver metastasis", "Ca<sup>2+</sup> signalling\tin cells", "Plain title",
              "Müller glia  and β-catenin", 'Quotes "and" back\\slash', "Line\nbreak title", "CO<sub>2</sub> <b>uptake</b>"]
    kws = ["alpha", "beta", "gamma", "liver", "alpha", " beta ", "日本", "<i>E. coli</i>"]
    people = ["<LastName>Doe</LastName><ForeName>Jane</ForeName><Initials>J</Initials>",
              "<LastName>Roe</LastName><ForeName>Rich</ForeName><Initials>R</Initials><Suffix>Jr</Suffix>",
              "<CollectiveName>Study Group</CollectiveName>",
              f'<LastName>Orc</LastName><Identifier Source="ORCID">https://orcid.org/{ORCID}</Identifier>',
              "<LastName>Müller</LastName><ForeName>José</ForeName>"]
    affs = ["Dept A", "Dept B, Univ \u00e9", "Dept A", "Lab  C\n  Street"]
    heads = [('D015179', "Colorectal Neoplasms"), ('D008113', "Liver Neoplasms"), ('D006801', "Humans"),
             (None, "No UI heading"), ('D019307', "HGF")]
    quals = [('Q000473', "pathology"), ('Q000556', "secondary"), (None, "no ui"), ('Q000188', "drug therapy")]
    dates = ["<Year>2019</Year>", "<Year>2020</Year><Month>Feb</Month><Day>29</Day>", "<MedlineDate>2018 Jan-Feb</MedlineDate>",
             "<Year>2017</Year><Month>11</Month>", "<Year>2016</Year><Month>Sept</Month><Day>3</Day>"]
    yn = lambda: rng.choice(['', ' MajorTopicYN="Y"', ' MajorTopicYN="N"'])  # noqa: E731
    authors = []
    for _ in range(rng.randint(0, 5)):
        a = rng.choice(people)
        for _ in range(rng.randint(0, 3)):
            a += f"<AffiliationInfo><Affiliation>{rng.choice(affs)}</Affiliation></AffiliationInfo>"
        authors.append(a)
    mesh = []
    for _ in range(rng.randint(0, 6)):
        ui, name = rng.choice(heads)
        uia = ' UI="%s"' % ui if ui else ""
        h = f"<MeshHeading{yn()}><DescriptorName{uia}{yn()}>{name}</DescriptorName>"
        for _ in range(rng.randint(0, 3)):
            qui, qname = rng.choice(quals)
            quia = ' UI="%s"' % qui if qui else ""
            h += f"<QualifierName{quia}{yn()}>{qname}</QualifierName>"
        mesh.append(h + "</MeshHeading>")
    refs = []
    for _ in range(rng.randint(0, 8)):
        r = rng.choice(['<ArticleId IdType="pubmed">{n}</ArticleId>', '<ArticleId IdType="doi">10.1000/r{n}</ArticleId>',
                        '<ArticleId IdType="pubmed">{n}</ArticleId><ArticleId IdType="doi">10.1000/r{n}</ArticleId>',
                        '<ArticleId IdType="pmc">PMC{n}</ArticleId>'])
        refs.append(f"<ArticleIdList>{r.format(n=rng.randint(1, 6))}</ArticleIdList>")
    secs = rng.choice([1, 1, 2, 3])
    labels = ["BACKGROUND", "METHODS", "RESULTS"]
    if secs == 1:
        ab = f"<AbstractText>{rng.choice(titles)}</AbstractText>"
    else:
        ab = "".join(f'<AbstractText Label="{labels[k]}" NlmCategory="{labels[k]}">{rng.choice(titles)}</AbstractText>'
                     for k in range(secs))
    parts = {
        "title": rng.choice(titles), "pubdate": f"<PubDate>{rng.choice(dates)}</PubDate>",
        "abstract": f"<Abstract>{ab}</Abstract>",
        "authors": _authors(*authors) if authors else "",
        "languages": "".join(f"<Language>{rng.choice(['eng', 'fre', 'eng'])}</Language>" for _ in range(rng.randint(1, 3))),
        "keywords": "<KeywordList>" + "".join(f"<Keyword>{rng.choice(kws)}</Keyword>" for _ in range(rng.randint(0, 5)))
                    + "</KeywordList>",
        "mesh": "<MeshHeadingList>" + "".join(mesh) + "</MeshHeadingList>" if mesh else "",
        "pubmed_data_extra": ("<ReferenceList>" + "".join(f"<Reference>{r}</Reference>" for r in refs) + "</ReferenceList>")
                             if refs else "",
        "comments": ("<CommentsCorrectionsList>" + "".join(
            f'<CommentsCorrections RefType="{rng.choice(["CommentOn", "ErratumIn", "Cites"])}"><PMID>{rng.randint(1, 4)}</PMID>'
            "</CommentsCorrections>" for _ in range(rng.randint(1, 4))) + "</CommentsCorrectionsList>")
                    if rng.random() < 0.5 else "",
        "pubtypes": "<PublicationTypeList>" + "".join(rng.sample(
            ['<PublicationType UI="D016428">Journal Article</PublicationType>',
             '<PublicationType UI="D016454">Review</PublicationType>',
             '<PublicationType UI="D013485">Research Support, Non-U.S. Gov\'t</PublicationType>'], rng.randint(1, 3)))
                    + "</PublicationTypeList>",
        "articleids": _ids(("pubmed", "@PMID@"), *([("doi", f"10.1000/rand.{i}")] if rng.random() < 0.7 else []),
                           *([("pmc", f"PMC{i}")] if rng.random() < 0.3 else [])),
    }
    if rng.random() < 0.3:
        parts["mji"] = ""
        parts["issn"] = '<ISSN IssnType="Print">0028-0836</ISSN>'
    return Case(f"random-{i}", parts, ordinary=True)


def random_articles(seed: int = 20240601, n: int = 30) -> list[Case]:
    rng = random.Random(seed)
    return [_random_article(rng, i) for i in range(n)]


# Unicode digits (str.isdigit, re's \d) and `$` matching before a final newline. These cases found two
# accidents of the Python reference, since fixed there: PMIDs (records, references, comments, deletions)
# must be ASCII digits, and the MeSH UI, ISSN and DOI patterns end in \Z. The rest (Unicode digits in
# dates, which int() reads correctly) must simply agree both ways. Kept apart so such failures stand out.
QUIRK_CASES: list[Case] = [
    Case("quirk-arabic-indic-pmid", {"pmid_el": '<PMID Version="1">\u0661\u0662\u0663</PMID>',
                                     "articleids": _ids(("pubmed", "x"))}, reject=True),  # PMIDs are ASCII
    Case("quirk-arabic-indic-version", {"pmid_el": '<PMID Version="\u0663">@PMID@</PMID>'},
         reject=True),  # a Version that is not ASCII digits rejects the record (issue 16)
    Case("quirk-superscript-version", {"pmid_el": '<PMID Version="\u00b2">@PMID@</PMID>'}, reject=True),
    Case("quirk-arabic-indic-year", _date("<Year>\u0662\u0660\u0662\u0660</Year><Month>\u0665</Month><Day>\u0661</Day>")),
    Case("quirk-fullwidth-day", _date("<Year>2020</Year><Month>Jan</Month><Day>\uff11\uff12</Day>")),
    Case("quirk-superscript-year", _date("<Year>\u00b2\u2070\u00b2\u2070</Year>"), reject=True),
    Case("quirk-medline-date-arabic-year", _date("<MedlineDate>\u0661\u0669\u0669\u0669 Spring</MedlineDate>")),
    Case("quirk-fullwidth-orcid", {"authors": _authors(
        '<LastName>Wide</LastName><Identifier Source="ORCID">\uff10\uff10\uff10\uff10-0002-1825-0097</Identifier>')}),
    Case("quirk-superscript-reference-pmid", _refs('<ArticleIdList><ArticleId IdType="pubmed">\u00b2\u00b3</ArticleId></ArticleIdList>',
                                                   '<ArticleIdList><ArticleId IdType="pubmed">\u0661\u0662</ArticleId></ArticleIdList>')),
    Case("quirk-unicode-digit-comment-pmid", {"comments": '<CommentsCorrectionsList><CommentsCorrections RefType="CommentOn">'
                                                          "<PMID>\u0661\u0662</PMID></CommentsCorrections></CommentsCorrectionsList>"}),
    Case("quirk-mesh-ui-trailing-newline", _mesh('<MeshHeading><DescriptorName UI="D000001&#10;" MajorTopicYN="Y">nl</DescriptorName>'
                                                 '<QualifierName UI="Q000001&#10;" MajorTopicYN="Y">q</QualifierName></MeshHeading>'),
         reject=True),  # a malformed UI rejects the record (issue 16)
    Case("quirk-doi-trailing-newline", {"articleids": _ids(("pubmed", "@PMID@"), ("doi", "10.1000/x"))}
         | {"eloc": '<ELocationID EIdType="doi">10.1000/y&#10;</ELocationID>'}),
    Case("quirk-issn-trailing-newline", {"issn": '<ISSN IssnType="Print">1234-5678&#10;</ISSN>', "mji": ""}),
    Case("quirk-delete-unicode-digits", {"raw": "<DeleteCitation><PMID>\u0661\u0662</PMID></DeleteCitation>\n"},
         reject=True),
]


def write_document(path: Path, cases: list[Case], first_pmid: int) -> tuple[dict[str, str], list[int]]:
    """Write one PubmedArticleSet with a record per case; returns {PMID: case name} and each record's line."""
    names = {}
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + DOCTYPE + "<PubmedArticleSet>\n"
    body = [head]
    lines = []
    line = 1 + head.count("\n")
    for k, case in enumerate(cases):
        pmid = str(first_pmid + k)
        names[pmid] = case.name
        rec = build(pmid, case)
        assert rec.endswith("\n")
        lines.append(line)
        line += rec.count("\n") + rec.count("\r") - rec.count("\r\n")
        body.append(rec)
    path.write_bytes(("".join(body) + "</PubmedArticleSet>\n").encode("utf-8"))
    return names, lines


def _check_generator(path: Path, cases: list[Case]) -> None:
    """The Python reference reads the document without a parse error and rejects exactly the cases marked
    `reject` (each case read alone), so the generator stays honest about what it exercises."""
    from kg.ingest import pubmed_xml
    recs = _read(path, False)
    malformed = [str(r.error) for r in recs if isinstance(r, Rejected) and "malformed XML" in str(r.error)]
    assert not malformed, f"generated XML is broken: {malformed}"
    got = set()
    for k, case in enumerate(cases):
        data = ("<PubmedArticleSet>" + build(str(99000001 + k), case) + "</PubmedArticleSet>").encode()
        out = list(pubmed_xml.read(io.BufferedReader(io.BytesIO(data)), "case"))
        if any(isinstance(r, Rejected) for r in out) and case.name != "delete-citation":
            got.add(case.name)
    expected = {c.name for c in cases if c.reject}
    assert got == expected, f"generator out of step with the reference: rejected {sorted(got)}, expected {sorted(expected)}"


def test_generated_edge_cases_same_both_ways(tmp_path):
    cases = EDGE_CASES + random_articles()
    path = tmp_path / "edge-cases.xml"
    names, lines = write_document(path, cases, 90000001)
    _check_generator(path, cases)
    assert_same(path, names, max_shown=12)


def test_generated_quirks_same_both_ways(tmp_path):
    path = tmp_path / "quirks.xml"
    names, lines = write_document(path, QUIRK_CASES, 91000001)
    _check_generator(path, QUIRK_CASES)
    assert_same(path, names, max_shown=20)


# --------------------------------------------------------------------------------------------------------
# File-level variants: encodings, declarations, roots, entities, broken files


def _doc(*records: str, decl: str = '<?xml version="1.0" encoding="UTF-8"?>\n', doctype: str = DOCTYPE) -> str:
    return decl + doctype + "<PubmedArticleSet>\n" + "".join(records) + "</PubmedArticleSet>\n"


def _a(pmid: int, name: str = "variant", **parts) -> str:
    return build(str(pmid), Case(name, parts))


def file_variants() -> dict[str, bytes]:
    v: dict[str, bytes] = {}
    v["entity-reference.xml"] = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x "expanded"><!ENTITY big "&x;&x;&x;">]>\n'
        "<PubmedArticleSet>\n" + _a(92000001) + _a(92000002, title="Title with &x; entity")
        + _a(92000003, abstract="<Abstract><AbstractText>&big;</AbstractText></Abstract>") + _a(92000004)
        + "</PubmedArticleSet>\n").encode()
    # Entities in attribute values and ATTLIST defaults of an internal subset: the reference expands the
    # first and applies the second (neither is an Entity node in element content), so the records are kept.
    v["entity-in-attributes.xml"] = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x "ex&amp;panded"><!ENTITY d "D015179">'
        '<!ENTITY v "2"><!ATTLIST AbstractText Label CDATA "DEFAULTED">'
        '<!ATTLIST MedlineCitation Status CDATA "Defaulted-Status">]>\n<PubmedArticleSet>\n'
        + _a(92000401, abstract='<Abstract><AbstractText Label="L &x; L" NlmCategory="&x;">x</AbstractText>'
                                "<AbstractText>second</AbstractText></Abstract>",
             pmid_el='<PMID Version="&v;">92000401</PMID>', mc_attrs='Owner="NLM"',
             mesh='<MeshHeadingList><MeshHeading><DescriptorName UI="&d;" MajorTopicYN="Y">ent ui</DescriptorName>'
                  "</MeshHeading></MeshHeadingList>")
        + _a(92000402, mc_attrs='Owner="NLM"', abstract="<Abstract><AbstractText>defaulted label</AbstractText></Abstract>")
        + _a(92000403) + "</PubmedArticleSet>\n").encode()
    v["undefined-entity.xml"] = _doc(_a(92000011), _a(92000012, title="Non&nbsp;breaking"), _a(92000013),
                                     doctype="").encode()
    v["malformed-middle.xml"] = _doc(_a(92000021), _a(92000022).replace("</ArticleTitle>", "</ArticleTitl>"),
                                     _a(92000023)).encode()
    v["no-declaration-no-doctype.xml"] = ("<PubmedArticleSet>" + _a(92000031) + "</PubmedArticleSet>").encode()
    v["utf8-bom.xml"] = b"\xef\xbb\xbf" + _doc(_a(92000041, title="BOM before the declaration é")).encode()
    v["latin1.xml"] = _doc(_a(92000051, title="Latin-1 caf\u00e9 na\u00efve \u00b5"),
                           decl='<?xml version="1.0" encoding="ISO-8859-1"?>\n').encode("latin-1")
    v["utf16.xml"] = _doc(_a(92000061, title="UTF-16 \u65e5\u672c"), decl='<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16")
    v["crlf.xml"] = _doc(_a(92000071, title="CRLF\nfile  with\ttabs")).replace("\n", "\r\n").encode()
    v["lone-root.xml"] = ('<?xml version="1.0"?>\n' + _a(92000081)).encode()
    v["single-quotes-and-spaces.xml"] = (
        "<?xml version='1.0' encoding='utf-8'?>\n<PubmedArticleSet >\n"
        + _a(92000091).replace('IdType="pubmed"', "IdType = 'pubmed' ").replace("<PMID Version=\"1\">", "<PMID  Version='1' >")
        + "</PubmedArticleSet >\n").encode()
    v["deletions-only.xml"] = _doc('<DeleteCitation><PMID Version="1">92000101</PMID><PMID Version="1">92000102</PMID>'
                                   "</DeleteCitation>\n").encode()
    v["mixed-records.xml"] = _doc(_a(92000111), '<DeleteCitation><PMID Version="1">92000111</PMID></DeleteCitation>\n',
                                  _a(92000111, pmid_el='<PMID Version="2">92000111</PMID>'),
                                  _a(92000112, pubdate="<PubDate><Year>2021</Year><Month>2</Month><Day>29</Day></PubDate>"),
                                  _a(92000113)).encode()
    v["whitespace-between-records.xml"] = ("<?xml version=\"1.0\"?>\n<!-- leading comment -->\n<?pi x?>\n"
                                           "<PubmedArticleSet>\n\n  <!-- c -->\n" + _a(92000121) + "\n\t\n"
                                           + _a(92000122) + "</PubmedArticleSet>\n<!-- trailing -->\n").encode()
    v["namespaced-root.xml"] = ('<?xml version="1.0"?>\n<PubmedArticleSet xmlns:x="urn:x" x:attr="1">'
                                + _a(92000131) + "</PubmedArticleSet>").encode()
    v["book-set.xml"] = ('<?xml version="1.0"?>\n<PubmedBookArticleSet>' + build("92000141", next(c for c in EDGE_CASES if c.name == "book-chapter"))
                         + "</PubmedBookArticleSet>").encode()
    big = "".join(_a(92000200 + k, title=f"Article {k} " + "long text " * 50) for k in range(40))
    v["gzip.xml.gz"] = gzip.compress(_doc(big).encode())
    v["gzip-truncated.xml.gz"] = gzip.compress(_doc(big).encode())[:-2000]
    v["truncated.xml"] = _doc(_a(92000301), _a(92000302)).encode()[:-200]
    return v


@pytest.mark.parametrize("name", sorted(file_variants()))
def test_file_variants_same_both_ways(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(file_variants()[name])
    assert_same(path)


def test_entity_reference_rejected_both_ways(tmp_path):
    path = tmp_path / "entity.xml"
    path.write_bytes(file_variants()["entity-reference.xml"])
    slow, fast = mapped_both(path)
    for entries in (slow, fast):
        kinds = [k for k, _ in entries]
        assert kinds == ["article", "rejected", "rejected", "article"], entries
        assert "entity reference" in entries[1][1]
    assert slow == fast


def test_comparison_shows_the_differing_line(tmp_path, monkeypatch):
    """The comparison itself: a changed line in the fast path's output is reported, with its case name."""
    path = tmp_path / "one.xml"
    names, _ = write_document(path, [EDGE_CASES[0]], 93000001)
    import kg.pipeline as pipeline
    real = pipeline.map_record

    def tampered(rec, **kw):
        m = real(rec, **kw)
        if type(rec).__name__ == "PrebuiltArticle":
            m = Mapped(m.graph, m.pmid, m.version, m.nquads.replace(b'"eng"', b'"fre"'), m.triples, m.kind)
        return m

    monkeypatch.setattr(sys.modules[__name__], "map_record", tampered)
    with pytest.raises(pytest.fail.Exception) as exc:
        assert_same(path, names)
    msg = str(exc.value)
    if "PrebuiltArticle" not in repr(read_both(path)[1]):
        pytest.skip("the fast path is not built: nothing to tamper with")
    assert "case plain" in msg and "-'<http://rdf.ncbi.nlm.nih.gov/pubmed/93000001>" in msg and '"fre"' in msg, msg


# --------------------------------------------------------------------------------------------------------
# The fast path is really used


def _fast_classes():
    try:
        import kg._pubmed_fast  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"kg._pubmed_fast is not importable ({exc}): the C extension is not built; reinstall with a C "
                    "compiler available (`.venv/bin/pip install -e .`)", pytrace=False)
    import kg.records
    prebuilt_cls = getattr(kg.records, "PrebuiltArticle", None)
    assert prebuilt_cls is not None, "kg.records has no PrebuiltArticle"
    return prebuilt_cls


def _count(path: Path, prebuilt_cls, only: set[str] | None = None) -> tuple[int, int, list[str]]:
    """(ordinary PubmedArticle records, how many came out as PrebuiltArticle, the PMIDs declined)."""
    slow, fast = read_both(path)
    plain = {r.pmid for r in slow if isinstance(r, Article) and not r.is_book}
    if only is not None:
        plain &= only
    fast_pmids = {r.pmid for r in fast if isinstance(r, prebuilt_cls)}
    return len(plain), len(plain & fast_pmids), sorted(plain - fast_pmids)


def test_fast_path_is_used_on_shared_data(shared_data):
    prebuilt_cls = _fast_classes()
    total = taken = 0
    declined: list[str] = []
    for p in pubmed_files_under(shared_data):
        n, k, d = _count(p, prebuilt_cls)
        total, taken = total + n, taken + k
        declined += [f"{p.name}:{x}" for x in d]
    assert total > 0
    assert taken >= 0.9 * total, (f"only {taken} of {total} PubmedArticle records of the shared data came out as "
                                  f"PrebuiltArticle; declined: {declined[:30]}")


def test_fast_path_is_used_on_generated_articles(tmp_path):
    prebuilt_cls = _fast_classes()
    cases = EDGE_CASES + random_articles()
    path = tmp_path / "edge-cases.xml"
    names, _ = write_document(path, cases, 90000001)
    ordinary = {pm for pm, nm in names.items() if next(c for c in cases if c.name == nm).ordinary}
    n, k, d = _count(path, prebuilt_cls, ordinary)
    assert n >= 40
    assert k >= 0.9 * n, (f"only {k} of {n} ordinary generated articles came out as PrebuiltArticle; declined: "
                          f"{[names[x] for x in d]}")


# --------------------------------------------------------------------------------------------------------
# Configuration and fallback


def test_every_term_the_c_mapping_writes_comes_from_python():
    """The C module holds no vocabulary: the names it asks `configure` for are exactly those kg.rdf.fast
    supplies (from kg.rdf.article / kg.vocab / kg.iris), and a missing one is refused, not defaulted."""
    _fast_classes()
    import kg._pubmed_fast as c
    from kg.rdf import article, fast
    terms = fast.terms()
    assert set(c.term_names()) == set(terms)
    missing = dict(terms)
    del missing["descriptor"]
    with pytest.raises(KeyError, match="descriptor"):
        c.configure(missing, sorted(article.REVIEW_TYPE_UIS), fast.comment_terms())
    c.configure(terms, sorted(article.REVIEW_TYPE_UIS), fast.comment_terms())  # restore


def test_without_the_extension_the_python_reader_serves_prebuilt_callers(monkeypatch):
    """Where no C compiler built kg._pubmed_fast, `FAST_MAPPINGS` is empty: the hooks fall back to `Article`
    records and the graphs are the same."""
    from kg.rdf import fast
    path = ROOT / "examples"
    files = sorted(p for p in path.rglob("*.xml") if PUBMED_MARKERS[0] in p.read_bytes()[:65536])
    assert files
    with_c = [_entry(r, files[0]) for r in _read(files[0], True)]
    monkeypatch.delitem(fast.FAST_MAPPINGS, "pubmed", raising=False)
    recs = _read(files[0], True)
    assert recs and all(not type(r).__name__ == "PrebuiltArticle" for r in recs)
    assert [_entry(r, files[0]) for r in recs] == with_c


def test_a_refused_configuration_leaves_the_module_working():
    """configure checks everything before replacing anything: a bad call raises and the module keeps
    mapping with its previous configuration."""
    _fast_classes()
    import kg._pubmed_fast as c
    from kg.rdf import article, fast
    terms = fast.terms()
    with pytest.raises(TypeError):
        c.configure(terms, [1, 2], fast.comment_terms())
    with pytest.raises(ValueError, match="too long"):
        c.configure({**terms, "base:article": "http://x/" + "a" * 200}, sorted(article.REVIEW_TYPE_UIS),
                    fast.comment_terms())
    path = ROOT / "examples"
    files = sorted(p for p in path.rglob("*.xml") if PUBMED_MARKERS[0] in p.read_bytes()[:65536])
    slow, fast_ = mapped_both(files[0])
    assert slow == fast_ and any(e[0] == "article" for e in fast_)


def test_added_lines_go_before_the_provenance_each_once():
    """`add_lines` places text-mining quads after the article's triples and before the provenance the
    compiled mapping writes last, and keeps each line once where `article_nquads` keeps it: a repeat of an
    article line is not added again, a mined line that is also a provenance line stays where it was mined."""
    from kg.rdf.fast import _PROVENANCE_LINES, add_lines
    art = [f'<urn:a> <urn:p> "{i}" <urn:g> .\n' for i in range(3)]
    prov = [f'<urn:g> <urn:q> "{i}" <urn:g> .\n' for i in range(_PROVENANCE_LINES)]
    mined = '<urn:m> <urn:p> "x" <urn:g> .\n'
    graph = "".join(art + prov).encode()
    n = len(art) + len(prov)
    for got, want in ((add_lines(graph, n, [art[0], art[1], mined, mined]), art + [mined] + prov),
                      (add_lines(graph, n, [mined, prov[1]]), art + [mined, prov[1]] + prov[:1] + prov[2:]),
                      (add_lines(graph, n, [art[2]]), art + prov)):
        assert got == ("".join(want).encode(), len(want))
        assert got[0].decode().splitlines(keepends=True) == list(dict.fromkeys(want))
