"""Records to quads. Each mapper is a generator of N-Triples-formatted (s, p, o) term strings.

Why strings and not rdflib/pyoxigraph objects: the mapping is the hot path of ingest (tens of millions of
articles); N-Quads text is what every store's bulk loader and pyoxigraph's Rust parser read fastest, and
`kg.rdf.nt` is the one place that escapes terms, so the text is always valid.
"""
