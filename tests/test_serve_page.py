"""The query page of `kg serve` in a real headless browser (Debian's Chromium through Playwright).

The browser is offline but for 127.0.0.1 (tests/browser.py): the page must work with nothing from a CDN.
Skips, with the reason, where Chromium cannot be installed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from browser import browser_page, chromium_browser  # noqa: F401  (fixtures)
from click.testing import CliRunner

from kg import queries
from kg.cli import main
from kg.serve import ServeConfig, serve
from kg.stores.oxigraph import OxigraphStore, export_prefixes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "store"
    r = CliRunner().invoke(main, ["ingest", "--store", str(path), "--no-validate", str(ROOT / "examples")])
    assert r.exit_code == 0, r.output
    httpd = serve(ServeConfig(str(path), "127.0.0.1:0", workers=1, timeout=20))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.port}/", str(path)
    httpd.shutdown()
    httpd.server_close()


def _prefixed(iri: str) -> str:
    """The prefixed name the page should show for an IRI: the longest namespace of the project's map."""
    best = max((ns for ns in export_prefixes().values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    name = next(k for k, v in export_prefixes().items() if v == best)
    return f"{name}:{iri[len(best):]}"


def _open(page, base: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base)
    page.wait_for_selector("body[data-ready=true]")
    return errors


def test_page_lists_the_canned_queries_and_runs_one(browser_page, page_server, tmp_path):  # noqa: F811
    base, store_path = page_server
    page = browser_page
    errors = _open(page, base)
    shown = page.locator("#canned-list > li").evaluate_all("els => els.map(e => e.dataset.query)")
    assert shown == [q.name for q in queries.list_queries()]
    form = page.locator("form[data-query=articles-by-author]")
    assert form.locator("input[name=param-family]").get_attribute("required") is not None
    form.locator("input[name=param-family]").fill("Zhou")
    form.locator("input[name=param-given]").fill("H")
    form.locator("button").click()
    page.wait_for_selector(".yasr table.dataTable tbody tr td a.iri")
    page.screenshot(path=str(tmp_path / "query-page.png"), full_page=True)

    want = list(queries.run(OxigraphStore(store_path, read_only=True), "articles-by-author",
                            {"family": "Zhou", "given": "H"}))
    assert want, "the bundled examples have an article by Zhou H"
    headers = page.locator(".yasr table.dataTable thead th .dt-column-title").all_inner_texts()
    assert headers[1:] == ["article", "pmid", "position", "name", "title", "date"]
    rows = page.locator(".yasr table.dataTable tbody tr")
    assert rows.count() == len(want)
    first = rows.nth(0).locator("td")
    link = first.nth(1).locator("a.iri")
    assert link.inner_text() == _prefixed(want[0]["article"].value)  # a prefixed name ...
    assert link.get_attribute("href") == want[0]["article"].value    # ... linking to the IRI
    assert first.nth(2).inner_text() == want[0]["pmid"].value
    # The editor holds the query that ran, its parameters bound by the server.
    text = page.evaluate("window.kgYasgui.getTab().getQuery()")
    assert 'VALUES ?family { "Zhou" } VALUES ?given { "H" } VALUES ?familyKey { "zhou" }' in text
    assert page.kg_foreign_requests == [] and errors == []


def test_editor_runs_a_typed_query_and_shows_errors(browser_page, page_server):  # noqa: F811
    base, store_path = page_server
    page = browser_page
    errors = _open(page, base)
    page.evaluate("q => { window.kgYasgui.getTab().setQuery(q); }",
                  "SELECT (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } }")
    page.locator(".yasqe_queryButton").click()
    cell = page.locator(".yasr table.dataTable tbody tr td").nth(1)
    cell.wait_for()
    assert cell.inner_text().startswith(f'"{len(OxigraphStore(store_path, read_only=True))}"')
    # A parameter that is not an identifier is refused by the server, and the page says which.
    form = page.locator("form[data-query=articles-by-mesh]")
    form.locator("input[name=param-mesh]").fill("1 OR 1=1")
    form.locator("button").click()
    page.wait_for_selector("#canned-status:not(:empty)")
    assert "parameter mesh" in page.locator("#canned-status").inner_text()
    assert page.kg_foreign_requests == [] and errors == []
