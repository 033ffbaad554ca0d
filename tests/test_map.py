"""`kg map` and `kg serve`'s /map/QUERY on the seed paper (PubMed record plus the JATS excerpt with its
figure captions): the map's nodes and edges against what the canned queries answer, the SVG and the
self-contained HTML, and the HTML in a real headless Chromium (click an edge, read its evidence; the
screenshot is kept in build/test-artefacts/ or $KG_TEST_ARTEFACTS)."""

from __future__ import annotations

import os
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kg import queries
from kg.cli import main
from kg.viz import Edge, Evidence, MechanismMap, Node, build_map, to_html, to_svg

SVG = "{http://www.w3.org/2000/svg}"
NOTCH, CRC = "http://purl.obolibrary.org/obo/GO_0007219", "http://purl.obolibrary.org/obo/MONDO_0005575"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def seed_store(shared_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "store"
    seed = shared_data / "seed"
    r = CliRunner().invoke(main, ["ingest", "--store", str(path), str(seed / "pubmed-35246503.xml"),
                                  str(seed / "jats-35246503-excerpt.xml")])
    assert r.exit_code == 0, r.output
    from kg.stores.oxigraph import OxigraphStore
    return OxigraphStore(str(path), read_only=True)  # read-only, so `kg serve` can hold the store too


def _answer(store, name: str, **values: str) -> list[dict[str, str]]:
    """A canned query's rows by column name, through the query machinery `kg query` uses."""
    res = queries.run(store, name, values)
    names = [v.value for v in res.variables]
    return [{n: (sol[n].value if sol[n] is not None else "") for n in names} for sol in res]


@pytest.mark.shared
def test_pathways_linking_map_has_the_answer_and_its_evidence(seed_store):
    m = build_map(seed_store, "pathways-linking")
    pathways = {r["pathway"] for r in _answer(seed_store, "pathways-linking")}
    assert len(pathways) == 3 and NOTCH in pathways  # the Notch, TGF-beta and HGF/c-MET figure captions
    nodes = {n.iri: n for n in m.nodes}
    assert pathways <= set(nodes) and all(nodes[p].kind == "pathway" for p in pathways)
    assert nodes[CRC].kind == "disease" and nodes["http://purl.obolibrary.org/obo/UBERON_0002107"].kind == "site"
    # each edge's PMIDs and sentences are exactly what the `evidence` query gives for the pair
    for e in m.edges:
        rows = _answer(seed_store, "evidence", subject=e.subject, object=e.object)
        assert set(e.pmids) <= {r["pmid"] for r in rows}
        assert {ev.sentence for ev in e.evidence} <= {r["sentence"] for r in rows}
        assert len(e.pmids) == len({ev.pmid for ev in e.evidence})
    notch = [e for e in m.edges if (e.subject, e.object) == (NOTCH, CRC)]
    assert [e.polarity for e in notch] == ["co-occurrence"] and notch[0].pmids == ("35246503",)
    assert notch[0].evidence[0].sentence.startswith("Schematic illustration of Notch pathway")


@pytest.mark.shared
def test_entities_of_article_svg_nodes_are_the_query_answer(seed_store, tmp_path):
    out = tmp_path / "seed.svg"
    r = CliRunner().invoke(main, ["map", "entities-of-article", "-p", "pmid=35246503", "-o", str(out),
                                  "--store", seed_store.path])
    assert r.exit_code == 0, r.output
    root = ET.parse(out).getroot()
    nodes = {g.get("data-iri"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    entities = {row["entity"]: row["label"] for row in _answer(seed_store, "entities-of-article", pmid="35246503")}
    assert set(nodes) == set(entities) and len(entities) == 10  # one entity per span (decision 0022)
    assert all(nodes[i].get("data-label") == label for i, label in entities.items())
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    m = build_map(seed_store, "entities-of-article", {"pmid": "35246503"})
    assert len(edges) == len(m.edges) > 0
    for g in edges:  # every edge joins two drawn nodes and its hover title holds its PMIDs and a sentence
        assert g.get("data-source") in nodes and g.get("data-target") in nodes
        title = g.find(f"{SVG}title").text
        assert "PMID 35246503: " in title and g.find(f"{SVG}text").text == g.get("data-pmids") == "1"
    assert f"{len(m.nodes)} entities, {len(m.edges)} associations" in r.output


def test_html_is_self_contained_and_escapes_what_it_shows():
    hostile = 'Notch <b>up</b></script><script>alert("x")</script> & more'
    m = MechanismMap("t", "evidence", (("subject", "X"),),
                     (Node("https://example.org/a", "A <i>", "gene", True), Node("https://example.org/b", "B", "disease", True)),
                     (Edge("https://example.org/a", "https://example.org/b", "positive", ("affects",), ("1",),
                           (Evidence("1", hostile, "abstract"),)),))
    html = to_html(m)
    assert re.findall(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", html, re.I) == []
    assert "<link" not in html and "@import" not in html and re.findall(r"url\(\s*['\"]?(?!#)", html) == []
    assert html.count("<script") == 2 and html.count("</script>") == 2  # the sentence cannot close one
    assert "<i>" not in html and "A &lt;i&gt;" in html
    ET.fromstring(to_svg(m))  # well-formed XML whatever the labels hold


def test_map_refuses_other_queries_and_missing_parameters(tmp_path):
    r = CliRunner().invoke(main, ["map", "articles-by-mesh", "--store", str(tmp_path / "s")])
    assert r.exit_code == 2 and "kg map draws the queries pathways-linking, evidence, entities-of-article" in r.output
    r = CliRunner().invoke(main, ["map", "evidence", "-p", "subject=GO:0007219", "--store", str(tmp_path / "s")])
    assert r.exit_code == 2 and "needs --param object=" in r.output
    r = CliRunner().invoke(main, ["map", "evidence", "-p", "subject", "--store", str(tmp_path / "s")])
    assert r.exit_code == 2 and "expected NAME=VALUE" in r.output


@pytest.mark.shared
def test_serve_answers_map_routes(seed_store):
    from kg.serve import ServeConfig, serve

    srv = serve(ServeConfig(seed_store.path, "127.0.0.1:0", workers=1))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/map/entities-of-article?pmid=35246503") as resp:
            assert resp.headers["Content-Type"].startswith("text/html")
            page = resp.read().decode()
        assert page.count('class="node"') == 10 and "Notch signaling pathway" in page
        with urllib.request.urlopen(f"{base}/map/pathways-linking.svg") as resp:
            assert resp.headers["Content-Type"].startswith("image/svg+xml")
            assert ET.fromstring(resp.read()).tag == f"{SVG}svg"
        for path, code, text in [("/map/evidence?subject=GO:0007219", 400, "needs --param object="),
                                 ("/map/articles-by-mesh", 404, "no map for 'articles-by-mesh'")]:
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(base + path)
            assert err.value.code == code and text in err.value.read().decode()
    finally:
        srv.shutdown()
        srv.server_close()


# ---- the map in a real browser -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (Debian) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the Python driver is missing: pip install playwright (the `test` extra has it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _artefacts() -> Path:
    d = Path(os.environ.get("KG_TEST_ARTEFACTS") or ROOT / "build" / "test-artefacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.mark.shared
def test_seed_map_in_a_headless_browser(seed_store, browser, tmp_path):
    m = build_map(seed_store, "entities-of-article", {"pmid": "35246503"})
    page_file = tmp_path / "seed-map.html"
    page_file.write_text(to_html(m), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    remote: list[str] = []

    def guard(route):  # the page must need nothing but itself
        if route.request.url.startswith("file:"):
            return route.continue_()
        remote.append(route.request.url)
        return route.abort()

    page.route("**/*", guard)
    page.goto(page_file.as_uri())
    labels = page.eval_on_selector_all("svg.kg-map g.node", "gs => gs.map(g => g.getAttribute('data-label'))")
    expected = [row["label"] for row in _answer(seed_store, "entities-of-article", pmid="35246503")]
    assert sorted(labels) == sorted(expected)
    assert page.locator("svg.kg-map g.edge").count() == len(m.edges)
    # every node is drawn inside the picture and no two overlap
    boxes = page.eval_on_selector_all("svg.kg-map g.node rect",
                                      "rs => rs.map(r => { const b = r.getBoundingClientRect(); "
                                      "return [b.left, b.top, b.right, b.bottom]; })")
    svg = page.eval_on_selector("svg.kg-map", "s => { const b = s.getBoundingClientRect(); "
                                              "return [b.left, b.top, b.right, b.bottom]; }")
    for i, (l, t, r, b) in enumerate(boxes):
        assert svg[0] <= l < r <= svg[2] and svg[1] <= t < b <= svg[3]
        for l2, t2, r2, b2 in boxes[i + 1:]:
            assert r <= l2 or r2 <= l or b <= t2 or b2 <= t
    # click a node: its associations are listed
    page.click(f"svg.kg-map g.node[data-iri='{NOTCH}']")
    assert "GO:0007219" in page.inner_text("#evidence")
    # click the Notch - colorectal cancer edge's PMID badge: the panel shows its caption and PMID
    idx = next(i for i, e in enumerate(m.edges) if (e.subject, e.object) == (NOTCH, CRC))
    page.click(f"#e{idx} circle")
    panel = page.inner_text("#evidence")
    sentence = next(r["sentence"] for r in _answer(seed_store, "evidence", subject=NOTCH, object=CRC))
    assert "Notch signaling pathway" in panel and "colorectal cancer" in panel
    assert "PMID 35246503" in panel and sentence in panel
    # every entity of the answer is drawn with its label; the exosome once (one entity per span, decision 0022)
    drawn = " ".join(page.text_content("svg.kg-map g.nodes").split())  # wrapped lines joined
    assert drawn.count("extracellular exosome") >= 1 and "(mesh:D055354)" not in drawn
    assert "tumor-associated macrophage" in drawn and "Notch signaling pathway" in drawn
    shot = _artefacts() / "seed-map.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert remote == []
    page.close()
