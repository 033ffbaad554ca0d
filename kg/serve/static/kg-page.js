// The query page: Yasgui (bundled, see vendor/VENDOR.txt) against this server's /sparql, and the canned
// queries from /queries. A canned query is bound by the server (/query/NAME?PARAM=VALUE, each value parsed
// by its declared type and bound as an RDF term), shown in the editor, and run there, so what runs is
// exactly what the user sees. Everything is built with textContent: no server or user text becomes HTML.
(function () {
  "use strict";

  var ENDPOINT = new URL("sparql", document.baseURI).href;
  var START_QUERY = [
    "# The named graphs and their sizes: one graph per article and source",
    "SELECT ?g (COUNT(*) AS ?triples)",
    "WHERE { GRAPH ?g { ?s ?p ?o } }",
    "GROUP BY ?g",
    "ORDER BY DESC(?triples)",
    "LIMIT 20",
  ].join("\n");
  var yasgui = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function status(message) {
    document.getElementById("canned-status").textContent = message || "";
  }

  function getJSON(path) {
    return fetch(path, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(path + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function runCanned(query, form) {
    var params = new URLSearchParams();
    query.params.forEach(function (p) {
      var value = form.elements["param-" + p.name].value.trim();
      if (value !== "") { params.append(p.name, value); }
    });
    status("");
    var url = "query/" + encodeURIComponent(query.name) + "?" + params.toString();
    return fetch(url, { headers: { Accept: "application/sparql-query" } }).then(function (r) {
      return r.text().then(function (text) {
        if (!r.ok) { throw new Error(text); }
        var tab = yasgui.getTab();
        tab.setQuery(text);
        return tab.query();
      });
    }).catch(function (err) { status(query.name + ": " + err.message); });
  }

  function renderQueries(list) {
    var ul = document.getElementById("canned-list");
    list.forEach(function (q) {
      var li = el("li", { "data-query": q.name });
      li.appendChild(el("div", { "class": "name" }, q.name));
      li.appendChild(el("p", { "class": "summary" }, q.summary));
      var form = el("form", { "data-query": q.name });
      q.params.forEach(function (p) {
        var label = el("label", {}, p.name + " ");
        label.appendChild(el("span", { "class": "type" },
          "(" + p.type + (p.required ? ", required" : p.default !== null ? ", default " + p.default : "") + ")"));
        var input = el("input", { name: "param-" + p.name, title: p.description, placeholder: p.description });
        if (p.required) { input.required = true; }
        label.appendChild(input);
        form.appendChild(label);
      });
      form.appendChild(el("button", { type: "submit" }, "Run " + q.name));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        runCanned(q, form);
      });
      li.appendChild(form);
      ul.appendChild(li);
    });
  }

  function start(prefixes) {
    yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: ENDPOINT, method: "POST" },
      copyEndpointOnNewTab: true,
      persistenceId: null,
      populateFromUrl: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: ENDPOINT }]; } },
      yasqe: { prefixCcApi: null },
      yasr: { prefixes: prefixes },
    });
    yasgui.getTab().setQuery(START_QUERY);
    window.kgYasgui = yasgui;  // for the browser tests and the curious
  }

  Promise.all([getJSON("prefixes"), getJSON("queries")]).then(function (both) {
    start(both[0]);
    renderQueries(both[1]);
    document.body.setAttribute("data-ready", "true");
  }).catch(function (err) { status("the page could not start: " + err.message); });
})();
