"""`kg fetch` against a local E-utilities stand-in on 127.0.0.1 that serves real efetch records from
../shared/data: history-server search, batches, id lists, retries on 5xx. Never the internet."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from kg.cli import main

from conftest import TEST_DATA

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


# ---- kg fetch --around: a recorded E-utilities (and PubTator3) stand-in ------------------------------
# tests/data/eutils-around/ holds the recorded answers (see its README for what is real and what is
# constructed); the three real records of the neighbourhood are read from ../shared/data.
AROUND = TEST_DATA / "eutils-around"
AROUND_SHARED = {"35246503": "seed/pubmed-35246503.xml", "29355075": "tipplerow-pubmed/29355075.xml",
                 "31400583": "tipplerow-pubmed/31400583.xml"}
SEED_PMC = "9900001"  # the constructed PMC id the recorded pubmed_pmc link gives the seed


def _ids(q: dict[str, list[str]], key: str) -> list[str]:
    return [i for v in q.get(key, []) for i in v.split(",") if i]


@pytest.fixture
def eutils_around(shared_data):
    def article(pmid: str) -> str | None:
        path = AROUND / "pubmed" / f"{pmid}.xml"
        if pmid in AROUND_SHARED:
            path = shared_data / AROUND_SHARED[pmid]
        if not path.exists():
            return None
        return re.search(r"<PubmedArticle>.*</PubmedArticle>", path.read_text(encoding="utf-8"), re.S).group(0)

    def linkset(pmid: str, linkname: str) -> str:
        path = AROUND / "elink" / linkname / f"{pmid}.xml"
        if path.exists():
            return re.search(r"<LinkSet>.*</LinkSet>", path.read_text(encoding="utf-8"), re.S).group(0)
        # what ELink answers for an article without such links: the linkset with no LinkSetDb
        return f"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>{pmid}</Id></IdList></LinkSet>"

    jats = (shared_data / "seed" / "jats-35246503-excerpt.xml").read_text(encoding="utf-8")
    state: dict = {"calls": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urlparse(self.path)
            q = parse_qs(u.query)
            if self.command == "POST":
                q.update(parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()))
            name = u.path.rsplit("/", 1)[-1]
            state["calls"].append((name, q))
            ctype = "text/xml"
            if name == "elink.fcgi":
                assert q["dbfrom"] == ["pubmed"], q
                ln = q["linkname"][0]
                inner = "".join(linkset(i, ln) for i in _ids(q, "id"))
                if state.get("elink_errors"):  # NCBI's answer when it is busy or the ids are refused
                    state["elink_errors"] -= 1
                    inner = "<ERROR>Backend failed: could not process the request</ERROR>"
                body = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD elink '
                        '20101123//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n<eLinkResult>'
                        + inner + "</eLinkResult>\n")
            elif name == "efetch.fcgi" and q["db"] == ["pmc"]:
                assert _ids(q, "id") == [SEED_PMC], q
                body = '<?xml version="1.0"?>\n<pmc-articleset>' + jats[jats.index("<article "):] + "</pmc-articleset>"
            elif name == "efetch.fcgi":
                found = [a for a in (article(i) for i in _ids(q, "id")) if a]
                body = '<?xml version="1.0"?>\n<PubmedArticleSet>' + "".join(found) + "</PubmedArticleSet>"
            elif u.path.endswith("publications/export/biocjson"):
                docs = [json.loads((AROUND / "pubtator" / f"{p}.json").read_text(encoding="utf-8"))["PubTator3"][0]
                        for p in _ids(q, "pmids") if (AROUND / "pubtator" / f"{p}.json").exists()]
                body, ctype = json.dumps({"PubTator3": docs}), "application/json"
            else:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    yield f"http://127.0.0.1:{port}/entrez/eutils/", f"http://127.0.0.1:{port}/pubtator3-api/", state
    srv.shutdown()


def _around(url: str, pt_url: str, tmp_path, *extra: str):
    return CliRunner().invoke(main, ["fetch", "--email", "kg-tests@example.org", "--around", "35246503",
                                     "--eutils-url", url, "--pubtator-url", pt_url, "--cache", str(tmp_path / "c"),
                                     "--store", str(tmp_path / "s"), *extra])


def _rows(store: str, sparql: str) -> list[list[str]]:
    r = CliRunner().invoke(main, ["sparql", sparql, "--store", store, "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if ln and not ln.startswith("(")]
    return [ln.split(",") for ln in lines[1:]]


@pytest.mark.shared
def test_fetch_around_builds_the_neighbourhood_and_a_rerun_fetches_nothing(eutils_around, tmp_path):
    url, pt_url, state = eutils_around
    r = _around(url, pt_url, tmp_path)
    assert r.exit_code == 0, r.output
    # the seed, its 5 references, the 1 citing article and the 2 similar ones (ELink lists the seed first
    # among its own similar articles; it is not counted twice)
    refs = ["26667886", "33538338", "10200776", "15761078", "21296855"]
    expected = {"35246503", *refs, "99000001", "31400583", "29355075"}
    links = [(c[1]["linkname"][0], c[1]["id"]) for c in state["calls"] if c[0] == "elink.fcgi"]
    assert links[:3] == [("pubmed_pubmed_refs", ["35246503"]), ("pubmed_pubmed_citedin", ["35246503"]),
                         ("pubmed_pubmed", ["35246503"])]
    assert links[3][0] == "pubmed_pmc" and set(links[3][1]) == expected  # one id= per PMID: one-to-one
    fetched = [set(_ids(c[1], "id")) for c in state["calls"] if c[0] == "efetch.fcgi" and c[1]["db"] == ["pubmed"]]
    assert fetched == [expected]
    assert [c[1]["pmids"][0].split(",") for c in state["calls"] if c[0] == "biocjson"] == [
        ["35246503", *refs, "99000001", "31400583", "29355075"]]
    assert "9 articles" in r.output and "5 cites, 1 cited by, 2 similar links" in r.output
    st = str(tmp_path / "s")
    articles = _rows(st, "PREFIX fabio: <http://purl.org/spar/fabio/> SELECT DISTINCT ?p WHERE "
                         "{ GRAPH ?g { ?a fabio:hasPubMedId ?p } }")
    assert {a[0] for a in articles} == expected
    graphs = {g[0].split("/graph/")[-1] for g in _rows(st, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert {"pmc/35246503", "pubtator/35246503", "around/35246503"} <= graphs
    cites = _rows(st, "PREFIX cito: <http://purl.org/spar/cito/> SELECT ?a ?b WHERE { GRAPH "
                      "<https://w3id.org/oncokg/graph/around/35246503> { ?a cito:cites ?b } } ORDER BY ?a ?b")
    pm = "http://rdf.ncbi.nlm.nih.gov/pubmed/"
    assert sorted((a[len(pm):], b[len(pm):]) for a, b in cites) == sorted(
        [("35246503", r) for r in refs] + [("99000001", "35246503")])
    manifest = (tmp_path / "c" / "around-35246503.tsv").read_text().splitlines()
    assert manifest[0] == "pmid\tlevel\tlink\tfrom" and "99000001\t1\tcited by\t35246503" in manifest
    # the acceptance check: a re-run reads every answer from the cache and asks nothing
    state["calls"].clear()
    r = _around(url, pt_url, tmp_path)
    assert r.exit_code == 0, r.output
    assert state["calls"] == []
    assert "0 ELink requests sent" in r.output and "9 articles" in r.output


@pytest.mark.shared
def test_fetch_around_depth_two_and_max(eutils_around, tmp_path):
    url, pt_url, state = eutils_around
    r = _around(url, pt_url, tmp_path, "--depth", "2", "--max", "4", "--no-pubtator", "--no-ingest")
    assert r.exit_code == 0, r.output
    # --max 4: the seed and its first three references; level 2 is asked about those three only
    manifest = (tmp_path / "c" / "around-35246503.tsv").read_text().splitlines()
    assert sorted(m.split("\t")[0] for m in manifest[1:]) == sorted(["35246503", "26667886", "33538338", "10200776"])
    assert not [c for c in state["calls"] if c[0] == "biocjson"]
    state["calls"].clear()
    r = _around(url, pt_url, tmp_path, "--depth", "2", "--max", "12", "--no-pubtator", "--no-ingest")
    assert r.exit_code == 0, r.output
    level2 = [c[1]["id"] for c in state["calls"] if c[0] == "elink.fcgi" and c[1]["linkname"][0] != "pubmed_pmc"]
    # level 1's ELink answers come from the cache only if the question is the same: it is (the seed)
    assert all(ids != ["35246503"] for ids in level2)
    assert level2 and set(level2[0]) == {"26667886", "33538338", "10200776", "15761078", "21296855", "99000001",
                                         "31400583", "29355075"}
    lines = (tmp_path / "c" / "around-35246503.tsv").read_text().splitlines()
    assert "33538338\t1\tcites\t99000001" in lines  # a level-2 link between two level-1 articles


def test_fetch_around_rejects_a_bad_pmid_and_two_sources(tmp_path):
    r = CliRunner().invoke(main, ["fetch", "--around", "35x", "--eutils-url", "http://127.0.0.1:9/",
                                  "--cache", str(tmp_path / "c")])
    assert r.exit_code == 2 and "not a PMID: '35x'" in r.output
    r = CliRunner().invoke(main, ["fetch", "--around", "35246503", "--query", "x", "--cache", str(tmp_path / "c")])
    assert r.exit_code == 2 and "exactly one of --query, --pmids or --around" in r.output


@pytest.mark.shared
def test_fetch_around_does_not_cache_an_elink_error(eutils_around, tmp_path):
    url, pt_url, state = eutils_around
    state["elink_errors"] = 1
    r = _around(url, pt_url, tmp_path, "--no-ingest", "--no-pmc", "--no-pubtator")
    assert r.exit_code == 2 and "ELink answered with an error" in r.output and "Backend failed" in r.output
    assert list((tmp_path / "c" / "elink").glob("*.xml")) == []
    r = _around(url, pt_url, tmp_path, "--no-ingest", "--no-pmc", "--no-pubtator")  # resumes: asks again
    assert r.exit_code == 0, r.output
    assert "9 articles" in r.output and "3 ELink requests sent" in r.output
