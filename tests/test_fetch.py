"""`kg fetch` against a local E-utilities stand-in on 127.0.0.1 that serves real efetch records from
../shared/data: history-server search, batches, id lists, retries on 5xx. Never the internet."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from kg.cli import main

FILES = {"35246503": "seed/pubmed-35246503.xml", "27797938": "biopython/Entrez/pubmed4.xml", "28775130": "biopython/Entrez/pubmed5.xml",
         "30108519": "biopython/Entrez/pubmed6.xml", "29963580": "biopython/Entrez/pubmed7.xml",
         "29355075": "tipplerow-pubmed/29355075.xml"}
ORDER = list(FILES)


@pytest.fixture
def eutils(shared_data):
    records = {}
    for pmid, rel in FILES.items():
        text = (shared_data / rel).read_text(encoding="utf-8")
        records[pmid] = re.search(r"<PubmedArticle>.*</PubmedArticle>", text, re.S).group(0)
    # The seed record has no PMCID; this stand-in gives it a made-up one so that --pmc has one to follow.
    records["35246503"] = records["35246503"].replace(
        "</ArticleIdList>", '<ArticleId IdType="pmc">PMC0000001</ArticleId></ArticleIdList>', 1)
    jats = (shared_data / "seed" / "jats-35246503-excerpt.xml").read_text(encoding="utf-8")
    jats_article = jats[jats.index("<article "):]
    state = {"calls": [], "fail_next_efetch": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _params(self):
            q = parse_qs(urlparse(self.path).query)
            if self.command == "POST":
                n = int(self.headers.get("Content-Length", 0))
                q.update(parse_qs(self.rfile.read(n).decode()))
            return {k: v[0] for k, v in q.items()}

        def do_GET(self):
            p = self._params()
            path = urlparse(self.path).path
            state["calls"].append((path.rsplit("/", 1)[-1], p))
            if path.endswith("esearch.fcgi"):
                body = (f"<?xml version='1.0'?><!DOCTYPE eSearchResult PUBLIC \"-//NLM//DTD esearch 20060628//EN\" "
                        f"\"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd\"><eSearchResult>"
                        f"<Count>{len(ORDER)}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
                        f"<QueryKey>1</QueryKey><WebEnv>MCID_test</WebEnv><IdList></IdList></eSearchResult>")
            elif path.endswith("efetch.fcgi"):
                if state["fail_next_efetch"]:
                    state["fail_next_efetch"] -= 1
                    self.send_error(503, "busy")
                    return
                if p.get("db") == "pmc":
                    assert p["id"] == "0000001", p
                    body = '<?xml version="1.0"?>\n<pmc-articleset>' + jats_article + "</pmc-articleset>"
                    ids = None
                elif "id" in p:
                    ids = p["id"].split(",")
                else:
                    assert p["webenv"] == "MCID_test" and p["query_key"] == "1", p
                    s, m = int(p["retstart"]), int(p["retmax"])
                    ids = ORDER[s:s + m]
                if ids is not None:
                    body = ('<?xml version="1.0"?>\n<PubmedArticleSet>'
                            + "".join(records[i] for i in ids if i in records) + "</PubmedArticleSet>")
            else:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/entrez/eutils/", state
    srv.shutdown()


@pytest.mark.shared
def test_fetch_query_uses_history_and_batches(eutils, tmp_path):
    url, state = eutils
    r = CliRunner().invoke(main, ["fetch", "--email", "kg-tests@example.org", "--query", "colorectal neoplasms[mh]", "--batch-size", "2",
                                  "--eutils-url", url, "--cache", str(tmp_path / "c"),
                                  "--store", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    kinds = [c[0] for c in state["calls"]]
    assert kinds == ["esearch.fcgi", "efetch.fcgi", "efetch.fcgi", "efetch.fcgi"]
    assert [int(c[1]["retstart"]) for c in state["calls"][1:]] == [0, 2, 4]
    assert state["calls"][0][1]["usehistory"] == "y" and state["calls"][0][1]["tool"] == "kg"
    assert len(list((tmp_path / "c").glob("*.xml"))) == 3
    assert "6 articles" in r.output
    # a re-run reuses the complete batch files: only the search is sent again
    state["calls"].clear()
    r = CliRunner().invoke(main, ["fetch", "--email", "kg-tests@example.org", "--query", "colorectal neoplasms[mh]", "--batch-size", "2",
                                  "--eutils-url", url, "--cache", str(tmp_path / "c"), "--no-ingest"])
    assert [c[0] for c in state["calls"]] == ["esearch.fcgi"]


@pytest.mark.shared
def test_fetch_pmids_from_stdin_retries_on_5xx(eutils, tmp_path):
    url, state = eutils
    state["fail_next_efetch"] = 1
    r = CliRunner().invoke(main, ["fetch", "--email", "kg-tests@example.org", "--pmids", "-", "--eutils-url", url, "--cache", str(tmp_path / "c"),
                                  "--store", str(tmp_path / "s")], input="29355075\n# a comment\n27797938\n")
    assert r.exit_code == 0, r.output
    efetches = [c for c in state["calls"] if c[0] == "efetch.fcgi"]
    assert len(efetches) == 2 and efetches[-1][1]["id"] == "29355075,27797938"
    r = CliRunner().invoke(main, ["query", "articles-by-mesh", "--store", str(tmp_path / "s"), "-p", "mesh=D015179",
                                  "--format", "csv"])
    assert "29355075" in r.output


def test_bad_pmid_list_names_the_line(tmp_path):
    r = CliRunner().invoke(main, ["fetch", "--pmids", "-", "--eutils-url", "http://127.0.0.1:9/",
                                  "--cache", str(tmp_path / "c")], input="123\nabc\n")
    assert r.exit_code == 1 and "line 2" in r.output or ":2" in r.output


def test_unreachable_server_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(main, ["fetch", "--pmids", "-", "--eutils-url", "http://127.0.0.1:9/", "--tries", "1",
                                  "--cache", str(tmp_path / "c")], input="123\n")
    assert r.exit_code == 2 and "E-utilities at http://127.0.0.1:9/ failed" in r.output


@pytest.mark.shared
def test_fetch_pmc_full_text_of_fetched_articles(eutils, tmp_path):
    url, state = eutils
    st = str(tmp_path / "s")
    r = CliRunner().invoke(main, ["fetch", "--email", "kg-tests@example.org", "--pmids", "-", "--pmc",
                                  "--eutils-url", url, "--cache", str(tmp_path / "c"), "--store", st],
                           input="35246503\n")
    assert r.exit_code == 0, r.output
    assert [c[1].get("db") for c in state["calls"]] == ["pubmed", "pmc"]
    assert "1 articles, 1 full-text/annotated documents" in r.output
    # the figure captions of the full text answer the flagship question
    r = CliRunner().invoke(main, ["query", "pathways-linking", "--store", st, "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "GO_0007219" in r.output and "Notch" in r.output
