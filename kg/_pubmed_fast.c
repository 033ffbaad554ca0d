/*
 * kg._pubmed_fast: one PubmedArticle element (as lxml's iterparse hands it over) straight to the
 * N-Quads of its named graph, in C.
 *
 * Why: the Python reader (kg/ingest/pubmed_xml.py) and mapping (kg/rdf/article.py) spend about five
 * times the XML parse itself on reading fields through lxml proxies, building records and formatting
 * terms. This module walks libxml2's tree under the element directly and writes the same lines, in the
 * same order, byte for byte; tests/test_pubmed_fast.py holds it to that on every real file we have and
 * on a generator of awkward records.
 *
 * The Python code stays the reference and the fallback. This module declines (returns None) whenever a
 * record is unusual: an entity reference, a comment, a DTD with attribute defaults, an impossible or
 * non-ASCII date, a PMID that is not a plain positive integer, a non-ASCII character where Python would
 * apply a Unicode rule (digits, case) we do not reproduce. The Python reader then reads that record and
 * produces the error or the lines itself, so every rejection message stays Python's.
 *
 * No vocabulary lives here: every predicate, class, datatype and IRI base is handed over by
 * kg/rdf/fast.py (`configure`) from kg.vocab and kg.iris, the single sources of truth.
 *
 * Only struct fields of libxml2's tree are read (no libxml2 function is called), so the module links
 * against nothing but Python; lxml's element layout (LxmlElement in lxml.etree.h, stable since lxml 2)
 * gives the node.
 */
#define _GNU_SOURCE /* memmem */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <libxml/tree.h>

typedef struct {
    PyObject_HEAD
    void *_doc;
    xmlNode *_c_node;
    PyObject *_tag;
} LxmlElement;

static PyTypeObject *element_type = NULL;

/* ------------------------------------------------------------------------------------------------ */
/* growable byte buffers                                                                            */

typedef struct {
    char *p;
    Py_ssize_t n, cap;
    PyObject *bytes; /* when set, p is this bytes object's storage: the output is built in place, not copied */
} Buf;

static int oom = 0;        /* set when an allocation failed: the call raises MemoryError */
static const char *bail = NULL; /* why the current record was declined (NULL: not declined) */

static int grow_slow(Buf *b, Py_ssize_t need) {
    Py_ssize_t c = b->cap ? b->cap : 1 << 16;
    while (c < b->n + need) c *= 2;
    if (b->bytes) {
        if (_PyBytes_Resize(&b->bytes, c) < 0) { PyErr_Clear(); b->bytes = NULL; oom = 1; return -1; }
        b->p = PyBytes_AS_STRING(b->bytes);
        b->cap = c;
        return 0;
    }
    char *q = realloc(b->p, (size_t)c);
    if (!q) { oom = 1; return -1; }
    b->p = q;
    b->cap = c;
    return 0;
}

static inline int grow(Buf *b, Py_ssize_t need) {
    return b->n + need <= b->cap ? 0 : grow_slow(b, need);
}

static inline void put(Buf *b, const char *s, Py_ssize_t len) {
    if (len <= 0 || grow(b, len)) return;
    memcpy(b->p + b->n, s, (size_t)len);
    b->n += len;
}

static inline void putc1(Buf *b, char ch) {
    if (grow(b, 1)) return;
    b->p[b->n++] = ch;
}

static inline void puts0(Buf *b, const char *s) { put(b, s, (Py_ssize_t)strlen(s)); }

static int fmt_long(char *out, long v) {
    char tmp[24];
    int k = 0, neg = v < 0;
    unsigned long u = neg ? 0UL - (unsigned long)v : (unsigned long)v;
    do { tmp[k++] = (char)('0' + u % 10); u /= 10; } while (u);
    int n = 0;
    if (neg) out[n++] = '-';
    while (k) out[n++] = tmp[--k];
    return n;
}

static void putint(Buf *b, long v) {
    char tmp[24];
    put(b, tmp, fmt_long(tmp, v));
}

/* A string: bytes [off, off+len) of the arena, or None (off < 0). The arena holds every value read
 * from the record; offsets survive its reallocation. */
typedef struct {
    Py_ssize_t off, len;
} Str;

static const Str NONE = {-1, 0};
static Buf A;   /* arena, reset per record */
static Buf O;   /* output N-Quads, reset per record */
static Buf W;   /* scratch for one value being assembled (journal IRI, joined abstract), reset per use */

#define SP(s) (A.p + (s).off)
static inline int truthy(Str s) { return s.off >= 0 && s.len > 0; }
static inline int is_none(Str s) { return s.off < 0; }

/* Append an arena string to the arena: grow first, since growing may move the source. */
static void arena_append(Str s) {
    if (s.off < 0 || s.len <= 0 || grow(&A, s.len)) return;
    memcpy(A.p + A.n, A.p + s.off, (size_t)s.len);
    A.n += s.len;
}

static Str arena_copy(const char *s, Py_ssize_t len) {
    Str r = {A.n, len};
    put(&A, s, len);
    if (oom) return NONE;
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* Python's notion of whitespace (str.isspace, str.split, str.strip, re's \s), on UTF-8 bytes         */

static inline int ws_at(const unsigned char *s, Py_ssize_t rem) {
    unsigned char c = s[0];
    if (c < 0x80) return ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) ? 1 : 0;
    if (c == 0xC2 && rem >= 2) return (s[1] == 0x85 || s[1] == 0xA0) ? 2 : 0;
    if (rem >= 3) {
        if (c == 0xE1) return (s[1] == 0x9A && s[2] == 0x80) ? 3 : 0;
        if (c == 0xE2) {
            if (s[1] == 0x80) return ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF) ? 3 : 0;
            if (s[1] == 0x81) return s[2] == 0x9F ? 3 : 0;
            return 0;
        }
        if (c == 0xE3) return (s[1] == 0x80 && s[2] == 0x80) ? 3 : 0;
    }
    return 0;
}

/* Length of the whitespace character that ends s[0:n], or 0. */
static inline int ws_end(const unsigned char *s, Py_ssize_t n) {
    if (n <= 0) return 0;
    if (s[n - 1] < 0x80) return ws_at(s + n - 1, 1);
    if (n >= 2 && s[n - 2] == 0xC2) return ws_at(s + n - 2, 2);
    if (n >= 3) return ws_at(s + n - 3, 3) == 3 ? 3 : 0;
    return 0;
}

static inline int utf8_len(unsigned char c) {
    if (c < 0x80) return 1;
    if (c < 0xE0) return 2;
    if (c < 0xF0) return 3;
    return 4;
}

static int has_ws(const char *p, Py_ssize_t n) {
    const unsigned char *s = (const unsigned char *)p;
    for (Py_ssize_t i = 0; i < n;) {
        if (ws_at(s + i, n - i)) return 1;
        i += utf8_len(s[i]);
    }
    return 0;
}

static int has_non_ascii(const char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80) return 1;
    return 0;
}

/* str.strip() */
static Str strip(Str s) {
    if (s.off < 0) return s;
    const unsigned char *p = (const unsigned char *)SP(s);
    Py_ssize_t a = 0, b = s.len;
    while (a < b) {
        int k = ws_at(p + a, b - a);
        if (!k) break;
        a += k;
    }
    while (b > a) {
        int k = ws_end(p + a, b - a);
        if (!k) break;
        b -= k;
    }
    Str r = {s.off + a, b - a};
    return r;
}

/* " ".join(s.split()) as a new arena string */
static Str normalise(Str s) {
    Py_ssize_t start = A.n;
    if (grow(&A, s.len)) return NONE;
    const unsigned char *p = (const unsigned char *)SP(s); /* valid: grow happened before */
    Py_ssize_t i = 0, n = s.len;
    int first = 1;
    while (i < n) {
        int k;
        while (i < n && (k = ws_at(p + i, n - i))) i += k;
        if (i >= n) break;
        Py_ssize_t j = i;
        while (j < n && !ws_at(p + j, n - j)) j += utf8_len(p[j]);
        if (j > n) j = n;
        if (!first) A.p[A.n++] = ' ';
        memcpy(A.p + A.n, p + i, (size_t)(j - i));
        A.n += j - i;
        first = 0;
        i = j;
    }
    Str r = {start, A.n - start};
    return r;
}

/* 1: non-empty ASCII digits; 0: not digits; and the record is declined where Python's Unicode isdigit
 * might say otherwise (non-ASCII). */
static int ascii_digits(Str s) {
    if (s.off < 0 || s.len == 0) return 0;
    const char *p = SP(s);
    int ok = 1;
    for (Py_ssize_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80) { bail = "non-ASCII character where Python tests for digits"; return 0; }
        if (c < '0' || c > '9') ok = 0;
    }
    return ok;
}

static long to_long(const char *p, Py_ssize_t n) {
    long v = 0;
    for (Py_ssize_t i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
    return v;
}

/* ------------------------------------------------------------------------------------------------ */
/* the tree                                                                                          */

static inline int is_el(const xmlNode *n, const char *name) {
    return n->type == XML_ELEMENT_NODE && n->ns == NULL && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name) {
    if (!n) return NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (is_el(c, name)) return c;
    return NULL;
}

static xmlNode *next_named(xmlNode *c, const char *name) {
    for (; c; c = c->next)
        if (is_el(c, name)) return c;
    return NULL;
}

#define EACH(var, parent, name) \
    for (xmlNode *var = (parent) ? next_named((parent)->children, name) : NULL; var; var = next_named(var->next, name))

static inline int is_text(const xmlNode *n) {
    return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

/* lxml's `.text`: the text nodes before the first child element; None when there are none. */
static Str raw_text(const xmlNode *el) {
    const xmlNode *c = el->children;
    if (!c || !is_text(c)) return NONE;
    Str r = {A.n, 0};
    for (; c && is_text(c); c = c->next)
        if (c->content) puts0(&A, (const char *)c->content);
    if (oom) return NONE;
    r.len = A.n - r.off;
    return r;
}

/* ElementPath findtext: None without the child, '' for a child without text. */
static Str findtext(const xmlNode *parent, const char *name) {
    xmlNode *c = child(parent, name);
    if (!c) return NONE;
    Str s = raw_text(c);
    if (is_none(s)) { Str e = {A.n, 0}; return e; }
    return s;
}

static void collect(const xmlNode *n) {
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is_text(c)) {
            if (c->content) puts0(&A, (const char *)c->content);
        } else if (c->type == XML_ELEMENT_NODE) {
            collect(c);
        }
    }
}

/* kg.ingest.pubmed_xml.text_of: all text under the element, whitespace tidied the way Python does. */
static Str text_of(const xmlNode *el) {
    if (!el) return NONE;
    int leaf = 1;
    for (const xmlNode *c = el->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) { leaf = 0; break; }
    Str all = {A.n, 0};
    collect(el);
    if (oom) return NONE;
    all.len = A.n - all.off;
    if (leaf) {
        if (all.len == 0 && !el->children) return NONE;
        Str t = strip(all);
        if (t.len == 0) return NONE;
        const char *p = SP(t);
        if (memchr(p, '\n', (size_t)t.len) || memmem(p, (size_t)t.len, "  ", 2)) return normalise(t);
        return t;
    }
    Str t = strip(all);
    if (t.len == 0) return NONE;
    return normalise(t);
}

/* lxml's `get(name)`: None when absent. */
static Str attr(const xmlNode *n, const char *name) {
    for (xmlAttr *a = n->properties; a; a = a->next) {
        if (a->ns != NULL || strcmp((const char *)a->name, name) != 0) continue;
        Str r = {A.n, 0};
        for (xmlNode *c = a->children; c; c = c->next) {
            if (c->type != XML_TEXT_NODE) { bail = "attribute holds an entity reference"; return NONE; }
            if (c->content) puts0(&A, (const char *)c->content);
        }
        if (oom) return NONE;
        r.len = A.n - r.off;
        return r;
    }
    return NONE;
}

static int streq(Str s, const char *lit) {
    size_t n = strlen(lit);
    return s.off >= 0 && (size_t)s.len == n && memcmp(SP(s), lit, n) == 0;
}

/* Everything under the record is an element, text or CDATA: anything else (an entity reference, a
 * comment, a processing instruction, an XInclude marker) goes to the Python reader. */
static int plain_tree(const xmlNode *n) {
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (!plain_tree(c)) return 0;
        } else if (!is_text(c)) {
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------------------------------------------ */
/* configuration: terms and IRI bases from kg/rdf/fast.py                                            */

enum {
    T_TYPE, T_JOURNAL_ARTICLE, T_REVIEW, T_PMID, T_PMID_VERSION, T_TITLE, T_VERNACULAR_TITLE, T_ABSTRACT,
    T_ABSTRACT_SECTION, T_ABSTRACT_SECTION_CLASS, T_POSITION, T_TEXT, T_ABSTRACT_LABEL, T_NLM_CATEGORY,
    T_OTHER_ABSTRACT, T_DATE, T_PUBLICATION_YEAR, T_MEDLINE_DATE, T_LANGUAGE, T_DOI, T_PMCID, T_PII,
    T_CITATION_STATUS, T_CITATION_OWNER, T_INDEXING_METHOD, T_VOLUME, T_ISSUE, T_PAGES, T_CREATOR,
    T_INVESTIGATOR, T_INVESTIGATOR_CLASS, T_ORGANIZATION, T_COLLECTIVE_NAME, T_NAME, T_PERSON, T_FAMILY_NAME,
    T_FAMILY_NAME_KEY, T_GIVEN_NAME, T_INITIALS, T_SUFFIX, T_AUTHOR_POSITION, T_ORCID, T_AFFILIATION, T_PART_OF, T_JOURNAL,
    T_NLM_UNIQUE_ID, T_NLM_JOURNAL_ID, T_ISSN, T_EISSN, T_ISSN_LINKING, T_MEDLINE_TA, T_NLM_TA, T_COUNTRY,
    T_PUBLICATION_TYPE, T_CHEMICAL, T_SUPPLEMENTARY_CONCEPT, T_KEYWORD, T_GRANT, T_GRANT_CLASS, T_GRANT_ID,
    T_GRANT_AGENCY, T_GRANT_COUNTRY, T_GRANT_ACRONYM, T_CITES, T_MESH_HEADING, T_HEADING_CLASS,
    T_DESCRIPTOR_NAME, T_DESCRIPTOR_MAJOR, T_AUTO_HM, T_DESCRIPTOR_TYPE, T_DESCRIPTOR, T_SUBJECT, T_PRIMARY,
    T_QUALIFIER, T_QUALIFIER_CLASS, T_QUALIFIER_NAME, T_MAJOR_TOPIC, T_QUALIFIER_TERM, T_PAIR_TERM,
    T_XSD_INTEGER, T_XSD_DATE, T_XSD_GYEARMONTH, T_XSD_GYEAR, T_TRUE, T_FALSE, T_PRIMARY_SOURCE,
    /* IRI bases (no angle brackets) */
    B_ARTICLE, B_GRAPH, B_NODE, B_JOURNAL_NLM, B_JOURNAL_ISSN, B_DOI, B_MESH, B_ORCID,
    N_TERMS
};

static const char *TERM_NAMES[N_TERMS] = {
    "type", "JournalArticle", "ReviewArticle", "pmid", "pmidVersion", "title", "vernacularTitle", "abstract",
    "abstractSection", "AbstractSection", "position", "text", "abstractLabel", "nlmCategory",
    "otherAbstract", "publicationDate", "publicationYear", "medlineDate", "language", "doi", "pmcid", "pii",
    "citationStatus", "citationOwner", "indexingMethod", "volume", "issue", "pageRange", "creator",
    "investigator", "Investigator", "Organization", "collectiveName", "name", "Person", "familyName",
    "familyNameKey", "givenName", "initials", "suffix", "authorPosition", "orcid", "affiliation", "isPartOf", "Journal",
    "nlmUniqueId", "nlmJournalId", "issn", "eIssn", "issnLinking", "medlineTA", "nlmTitleAbbreviation",
    "country", "publicationType", "chemical", "supplementaryConcept", "keyword", "grant", "Grant", "grantId",
    "grantAgency", "grantCountry", "grantAcronym", "cites", "meshHeading", "MeshHeading",
    "descriptorName", "descriptorMajorTopic", "autoHM", "descriptorType", "descriptor", "hasSubjectTerm",
    "hasPrimarySubjectTerm", "qualifier", "MeshQualifierAssignment", "qualifierName", "majorTopic",
    "qualifierTerm", "pairTerm",
    "xsd:integer", "xsd:date", "xsd:gYearMonth", "xsd:gYear", "true", "false", "hadPrimarySource",
    "base:article", "base:graph", "base:node", "base:journal-nlm", "base:journal-issn", "base:doi",
    "base:mesh", "base:orcid",
};

static char *T[N_TERMS];
static Py_ssize_t TL[N_TERMS];

typedef struct {
    char *key;
    char *term;
} Pair;

static char **review_uis = NULL;
static Py_ssize_t n_review = 0;
static Pair *comment_types = NULL;
static Py_ssize_t n_comment = 0;
static int configured = 0;

static char *dup_utf8(PyObject *s) {
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    if (!u) return NULL;
    char *d = malloc((size_t)n + 1);
    if (!d) { PyErr_NoMemory(); return NULL; }
    memcpy(d, u, (size_t)n + 1);
    return d;
}

static void free_strings(char **xs, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) free(xs[i]);
}

/* Checks and copies everything first and only then replaces the old configuration, so a refused call
 * leaves the module as it was (configured or not), never half-configured. */
static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *terms, *reviews, *comments;
    if (!PyArg_ParseTuple(args, "O!OO!", &PyDict_Type, &terms, &reviews, &PyDict_Type, &comments)) return NULL;
    char *t[N_TERMS] = {0};
    char **rv = NULL;
    Pair *ct = NULL;
    Py_ssize_t nr = 0, nc = 0;
    PyObject *seq = NULL;
    for (int i = 0; i < N_TERMS; i++) {
        PyObject *v = PyDict_GetItemString(terms, TERM_NAMES[i]);
        if (!v || !PyUnicode_Check(v)) {
            PyErr_Format(PyExc_KeyError, "kg._pubmed_fast.configure: no term %s", TERM_NAMES[i]);
            goto fail;
        }
        if (!(t[i] = dup_utf8(v))) goto fail;
    }
    if (strlen(t[B_ARTICLE]) > 100 || strlen(t[B_GRAPH]) > 200 || strlen(t[B_NODE]) > 150) {
        /* the article, graph and node terms are built in fixed buffers (S, G, NB, node names) */
        PyErr_SetString(PyExc_ValueError, "kg._pubmed_fast.configure: an IRI base is too long");
        goto fail;
    }
    if (!(seq = PySequence_Fast(reviews, "review UIs must be a sequence"))) goto fail;
    nr = PySequence_Fast_GET_SIZE(seq);
    if (!(rv = calloc((size_t)nr + 1, sizeof(char *)))) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < nr; i++) {
        PyObject *x = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(x)) { PyErr_SetString(PyExc_TypeError, "review UIs must be str"); goto fail; }
        if (!(rv[i] = dup_utf8(x))) goto fail;
    }
    nc = PyDict_Size(comments);
    if (!(ct = calloc((size_t)nc + 1, sizeof(Pair)))) { PyErr_NoMemory(); goto fail; }
    PyObject *k, *v;
    Py_ssize_t pos = 0, i = 0;
    while (PyDict_Next(comments, &pos, &k, &v)) {
        if (!PyUnicode_Check(k) || !PyUnicode_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "comment types must map str to str");
            goto fail;
        }
        if (!(ct[i].key = dup_utf8(k)) || !(ct[i].term = dup_utf8(v))) goto fail;
        i++;
    }
    Py_DECREF(seq);
    for (int j = 0; j < N_TERMS; j++) {
        free(T[j]);
        T[j] = t[j];
        TL[j] = (Py_ssize_t)strlen(t[j]);
    }
    if (review_uis) { free_strings(review_uis, n_review); free(review_uis); }
    review_uis = rv;
    n_review = nr;
    if (comment_types) {
        for (Py_ssize_t j = 0; j < n_comment; j++) { free(comment_types[j].key); free(comment_types[j].term); }
        free(comment_types);
    }
    comment_types = ct;
    n_comment = nc;
    configured = 1;
    Py_RETURN_NONE;
fail:
    Py_XDECREF(seq);
    free_strings(t, N_TERMS);
    if (rv) { free_strings(rv, nr); free(rv); }
    if (ct) {
        for (Py_ssize_t j = 0; j < nc; j++) { free(ct[j].key); free(ct[j].term); }
        free(ct);
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* N-Quads lines                                                                                     */

static char G[256];     /* the graph term of the current record */
static Py_ssize_t GL;
static char S[160];     /* the article term */
static Py_ssize_t SL;
static char NB[192];    /* node prefix: "<" base pmid "/" */
static Py_ssize_t NBL;
static long n_lines;

/* Lines that may repeat (keywords, languages, citations, MeSH subject terms, publication types,
 * chemicals, comments, other abstracts, affiliations) go through a hash set, so a repeated keyword or
 * reference is written once, as kg.rdf.nt.graph_text does for the Python path. Lines written once by
 * construction (one title, one node link per author) skip it: the set was 5% of a run. */
typedef struct {
    uint64_t h;
    Py_ssize_t off, len;
    uint32_t gen; /* the record this slot belongs to: older slots count as empty, so no clearing */
} Slot;
static Slot *set = NULL;
static Py_ssize_t set_cap = 0, set_n = 0;
static uint32_t set_gen = 0;

/* A word-at-a-time multiplicative hash: the lines are long and most of them share their ends. */
static uint64_t hash_bytes(const char *p, Py_ssize_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    uint64_t w = 0;
    memcpy(&w, p + i, (size_t)(n - i));
    h = (h ^ w) * 0x94D049BB133111EBULL;
    h ^= h >> 29;
    return h;
}

static int set_reset(void) {
    if (!set) {
        set_cap = 1024;
        set = calloc((size_t)set_cap, sizeof(Slot));
        if (!set) { oom = 1; return -1; }
    }
    if (++set_gen == 0) { /* wrapped: clear once every 4 billion records */
        memset(set, 0, (size_t)set_cap * sizeof(Slot));
        set_gen = 1;
    }
    set_n = 0;
    return 0;
}

static int set_insert_slot(Slot *tab, Py_ssize_t cap, Slot s) {
    Py_ssize_t i = (Py_ssize_t)(s.h & (uint64_t)(cap - 1));
    while (tab[i].gen == set_gen) {
        if (tab[i].h == s.h && tab[i].len == s.len && memcmp(O.p + tab[i].off, O.p + s.off, (size_t)s.len) == 0)
            return 0;
        i = (i + 1) & (cap - 1);
    }
    tab[i] = s;
    return 1;
}

/* 1 when the line O[off:off+len] is new (and remembered), 0 when it was written before. */
static int set_add(Py_ssize_t off, Py_ssize_t len, Py_ssize_t skip) {
    if ((set_n + 1) * 2 > set_cap) {
        Py_ssize_t nc = set_cap * 2;
        Slot *nt = calloc((size_t)nc, sizeof(Slot));
        if (!nt) { oom = 1; return 1; }
        for (Py_ssize_t i = 0; i < set_cap; i++)
            if (set[i].gen == set_gen) set_insert_slot(nt, nc, set[i]);
        free(set);
        set = nt;
        set_cap = nc;
    }
    Slot s = {hash_bytes(O.p + off + skip, len - skip - GL - 3), off, len, set_gen};
    int fresh = set_insert_slot(set, set_cap, s);
    if (fresh) set_n++;
    return fresh;
}

static Py_ssize_t line_start, subject_len;

static inline void begin_p(const char *s, Py_ssize_t sl, const char *p, Py_ssize_t pl) {
    line_start = O.n;
    subject_len = sl;
    put(&O, s, sl);
    putc1(&O, ' ');
    put(&O, p, pl);
    putc1(&O, ' ');
}

static inline void begin(const char *s, Py_ssize_t sl, int p) { begin_p(s, sl, T[p], TL[p]); }

static inline void end(int dedup) {
    putc1(&O, ' ');
    put(&O, G, GL);
    put(&O, " .\n", 3);
    if (oom) return;
    if (dedup && !set_add(line_start, O.n - line_start, subject_len)) {
        O.n = line_start;
        return;
    }
    n_lines++;
}

static void put_escaped(const char *p, Py_ssize_t n) {
    Py_ssize_t run = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = p[i];
        const char *rep = NULL;
        if (c == '\\') rep = "\\\\";
        else if (c == '"') rep = "\\\"";
        else if (c == '\n') rep = "\\n";
        else if (c == '\r') rep = "\\r";
        if (rep) {
            put(&O, p + run, i - run);
            put(&O, rep, 2);
            run = i + 1;
        }
    }
    put(&O, p + run, n - run);
}

/* s p "literal" */
static void L_lit(const char *s, Py_ssize_t sl, int p, Str v, int dedup) {
    begin(s, sl, p);
    putc1(&O, '"');
    if (v.off >= 0) put_escaped(SP(v), v.len);
    putc1(&O, '"');
    end(dedup);
}

static void L_term(const char *s, Py_ssize_t sl, int p, int o, int dedup) {
    begin(s, sl, p);
    put(&O, T[o], TL[o]);
    end(dedup);
}

static void L_iri(const char *s, Py_ssize_t sl, int p, const char *o, Py_ssize_t ol, int dedup) {
    begin(s, sl, p);
    put(&O, o, ol);
    end(dedup);
}

static void L_int(const char *s, Py_ssize_t sl, int p, long v) {
    begin(s, sl, p);
    putc1(&O, '"');
    putint(&O, v);
    putc1(&O, '"');
    put(&O, "^^", 2);
    put(&O, T[T_XSD_INTEGER], TL[T_XSD_INTEGER]);
    end(0);
}

static void L_bool(const char *s, Py_ssize_t sl, int p, int v) { L_term(s, sl, p, v ? T_TRUE : T_FALSE, 0); }

/* a node term: NB + suffix + ">" */
static Py_ssize_t node(char out[256], const char *kind, long i, long k) {
    /* NB kind i [/k] ">": NB is at most 192 bytes (configure checks the base), kind a short word */
    Py_ssize_t m = NBL;
    memcpy(out, NB, (size_t)m);
    size_t kl = strlen(kind);
    memcpy(out + m, kind, kl);
    m += (Py_ssize_t)kl;
    m += fmt_long(out + m, i);
    if (k) { out[m++] = '/'; m += fmt_long(out + m, k); }
    out[m++] = '>';
    return m;
}

/* urllib.parse.quote(value, safe=...) */
static void put_quoted(Buf *b, const char *p, Py_ssize_t n, const char *safe) {
    static const char hex[] = "0123456789ABCDEF";
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
            c == '.' || c == '-' || c == '~' || (c < 0x80 && c && strchr(safe, c))) {
            putc1(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(b, e, 3);
        }
    }
}

/* A MeSH UI as kg.rdf.article._mesh_term accepts it: ^[DQC][0-9]{6,9}\Z */
static int mesh_ui(Str ui) {
    if (!truthy(ui)) return 0;
    const char *p = SP(ui);
    Py_ssize_t n = ui.len;
    if (n < 7 || n > 10 || (p[0] != 'D' && p[0] != 'Q' && p[0] != 'C')) return 0;
    for (Py_ssize_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    return 1;
}

static void L_mesh(const char *s, Py_ssize_t sl, int p, Str ui, int dedup) {
    begin(s, sl, p);
    putc1(&O, '<');
    put(&O, T[B_MESH], TL[B_MESH]);
    put(&O, SP(ui), ui.len);
    putc1(&O, '>');
    end(dedup);
}

/* ^[0-9]{4}-[0-9]{3}[0-9Xx]\Z */
static int issn_ok(Str v) {
    if (!truthy(v)) return 0;
    const char *p = SP(v);
    Py_ssize_t n = v.len;
    if (n != 9 || p[4] != '-') return 0;
    for (int i = 0; i < 8; i++) {
        char c = p[i < 4 ? i : i + 1];
        if (!(c >= '0' && c <= '9') && !(i == 7 && (c == 'X' || c == 'x'))) return 0;
    }
    return 1;
}

/* ^10\.\S+/\S+\Z */
static int doi_ok(Str v) {
    if (!truthy(v) || v.len < 6) return 0;
    const char *p = SP(v);
    if (p[0] != '1' || p[1] != '0' || p[2] != '.') return 0;
    if (has_ws(p, v.len)) return 0;
    for (Py_ssize_t i = 4; i < v.len - 1; i++)
        if (p[i] == '/') return 1;
    return 0;
}

static void L_article_ref(const char *s, Py_ssize_t sl, int p, Str pmid) {
    begin(s, sl, p);
    putc1(&O, '<');
    put(&O, T[B_ARTICLE], TL[B_ARTICLE]);
    put(&O, SP(pmid), pmid.len);
    putc1(&O, '>');
    end(1);
}

/* ------------------------------------------------------------------------------------------------ */
/* record sections                                                                                   */

static Str *affs = NULL;
static Py_ssize_t affs_cap = 0;

static int month_of(Str raw, int *month) {
    /* kg.ingest.pubmed_xml._month: None for a missing or empty element; a number or a name */
    if (!truthy(raw)) { *month = 0; return 1; }
    Str v = strip(raw);
    int d = ascii_digits(v);
    if (bail) return 0;
    if (d) {
        if (v.len > 4) return 0;
        long m = to_long(SP(v), v.len);
        if (m < 1 || m > 12) return 0;
        *month = (int)m;
        return 1;
    }
    static const char *names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    Py_ssize_t k = v.len < 3 ? v.len : 3;
    if (has_non_ascii(SP(v), k)) return 0;
    char low[4] = {0};
    for (Py_ssize_t i = 0; i < k; i++) low[i] = (char)tolower((unsigned char)SP(v)[i]);
    for (int i = 0; i < 12; i++)
        if (k == 3 && memcmp(low, names[i], 3) == 0) { *month = i + 1; return 1; }
    return 0;
}

static int leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* kg.ingest.pubmed_xml.parse_pub_date for the valid cases; 0 declines (Python raises or differs). */
static int pub_date(const xmlNode *el, long *year, int *month, int *day, Str *medline) {
    *year = -1; *month = 0; *day = 0; *medline = NONE;
    if (!el) return 1;
    xmlNode *mdn = child(el, "MedlineDate");
    if (mdn) {
        Str md = strip(findtext(el, "MedlineDate"));
        *medline = md;
        if (md.len >= 4) {
            const char *p = SP(md);
            if (has_non_ascii(p, 4)) return 0;
            int ok = 1;
            for (int i = 0; i < 4; i++) ok &= p[i] >= '0' && p[i] <= '9';
            if (ok) *year = to_long(p, 4);
        } else if (has_non_ascii(SP(md), md.len)) {
            return 0;
        }
        return 1;
    }
    Str ys = findtext(el, "Year");
    if (truthy(ys)) {
        Str y = strip(ys);
        if (!ascii_digits(y) || y.len > 6) return 0;
        *year = to_long(SP(y), y.len);
        if (*year < 1) return 0; /* year 0000: Python rejects the record */
    }
    if (!month_of(findtext(el, "Month"), month)) return 0;
    Str ds = findtext(el, "Day");
    if (truthy(ds)) {
        Str d = strip(ds);
        if (!ascii_digits(d) || d.len > 4) return 0;
        long dv = to_long(SP(d), d.len);
        if (*month == 0 || *year < 0) return 0;
        if (*year < 1 || *year > 9999) return 0;
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int maxd = mdays[*month - 1] + (*month == 2 && leap(*year));
        if (dv < 1 || dv > maxd) return 0;
        *day = (int)dv;
    }
    return 1;
}

/* ORCID as kg.ingest.pubmed_xml._author reads it: (\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX]) case-insensitive,
 * searched in the text with spaces removed; returns the 16 characters (digits, X) or 0. */
static int orcid_of(Str raw, char out[16]) {
    char buf[512];
    Py_ssize_t n = 0;
    const char *p = SP(raw);
    for (Py_ssize_t i = 0; i < raw.len; i++) {
        if ((unsigned char)p[i] >= 0x80) { bail = "non-ASCII ORCID identifier"; return 0; }
        if (p[i] != ' ') {
            if (n >= (Py_ssize_t)sizeof buf) { bail = "long ORCID identifier"; return 0; }
            buf[n++] = p[i];
        }
    }
    for (Py_ssize_t st = 0; st < n; st++) {
        Py_ssize_t i = st;
        int k = 0, ok = 1;
        for (int grp = 0; grp < 4 && ok; grp++) {
            for (int d = 0; d < 4; d++) {
                if (i >= n) { ok = 0; break; }
                char c = buf[i];
                int last = (grp == 3 && d == 3);
                if ((c >= '0' && c <= '9') || (last && (c == 'X' || c == 'x'))) {
                    out[k++] = (c == 'x') ? 'X' : c;
                    i++;
                } else { ok = 0; break; }
            }
            if (ok && grp < 3 && i < n && buf[i] == '-') i++;
        }
        if (ok) return 1;
    }
    return 0;
}

typedef struct {
    Str last, fore, initials, suffix, collective;
    int has_orcid;
    char orcid[16];
    Py_ssize_t n_affs;
} Person;

static void read_person(const xmlNode *a, Person *P) {
    memset(P, 0, sizeof *P);
    P->last = P->fore = P->initials = P->suffix = P->collective = NONE;
    for (const xmlNode *c = a->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c->ns) continue;
        const char *t = (const char *)c->name;
        Str add = NONE;
        int adding = 0;
        if (!strcmp(t, "LastName")) P->last = text_of(c);
        else if (!strcmp(t, "ForeName")) P->fore = text_of(c);
        else if (!strcmp(t, "Initials")) P->initials = raw_text(c);
        else if (!strcmp(t, "AffiliationInfo")) {
            Str x = text_of(child(c, "Affiliation"));
            if (truthy(x)) { add = x; adding = 1; }
        } else if (!strcmp(t, "Identifier")) {
            Str src = attr(c, "Source");
            Str txt = raw_text(c);
            if (truthy(src) && truthy(txt)) {
                if (has_non_ascii(SP(src), src.len)) { bail = "non-ASCII identifier source"; return; }
                if (src.len == 5 && strncasecmp(SP(src), "ORCID", 5) == 0) {
                    char o[16];
                    if (orcid_of(txt, o)) { memcpy(P->orcid, o, 16); P->has_orcid = 1; }
                }
            }
        } else if (!strcmp(t, "CollectiveName")) P->collective = text_of(c);
        else if (!strcmp(t, "Suffix")) P->suffix = raw_text(c);
        else if (!strcmp(t, "Affiliation")) {
            Str x = raw_text(c);
            if (truthy(x)) { add = strip(x); adding = 1; }
        }
        if (adding) {
            if (P->n_affs >= affs_cap) {
                Py_ssize_t nc = affs_cap ? affs_cap * 2 : 16;
                Str *na = realloc(affs, (size_t)nc * sizeof(Str));
                if (!na) { oom = 1; return; }
                affs = na;
                affs_cap = nc;
            }
            affs[P->n_affs++] = add;
        }
        if (bail || oom) return;
    }
}

/* kg:familyNameKey: the family name lower-cased by Python's own str.lower (full Unicode case mapping,
 * final sigma included), so the key equals the Python mapping's byte for byte; a C tolower would only
 * handle ASCII. Called with the GIL held, like the rest of map_article. */
static void emit_family_key(const char *n, Py_ssize_t nl, Str last) {
    PyObject *u = PyUnicode_DecodeUTF8(SP(last), last.len, "strict");
    PyObject *low = u ? PyObject_CallMethod(u, "lower", NULL) : NULL;
    Py_ssize_t len = 0;
    const char *b = low ? PyUnicode_AsUTF8AndSize(low, &len) : NULL;
    if (!b) {
        PyErr_Clear();
        oom = 1;
    } else {
        Str key = arena_copy(b, len);
        if (!oom) L_lit(n, nl, T_FAMILY_NAME_KEY, key, 0);
    }
    Py_XDECREF(low);
    Py_XDECREF(u);
}

static void emit_person(const char *n, Py_ssize_t nl, const Person *P, long position) {
    if (truthy(P->collective) && !truthy(P->last)) {
        L_term(n, nl, T_TYPE, T_ORGANIZATION, 0);
        L_lit(n, nl, T_COLLECTIVE_NAME, P->collective, 0);
        L_lit(n, nl, T_NAME, P->collective, 0);
    } else {
        L_term(n, nl, T_TYPE, T_PERSON, 0);
        if (truthy(P->last)) {
            L_lit(n, nl, T_FAMILY_NAME, P->last, 0);
            emit_family_key(n, nl, P->last);
        }
        if (truthy(P->fore)) L_lit(n, nl, T_GIVEN_NAME, P->fore, 0);
        if (truthy(P->initials)) L_lit(n, nl, T_INITIALS, P->initials, 0);
        if (truthy(P->suffix)) L_lit(n, nl, T_SUFFIX, P->suffix, 0);
        if (truthy(P->fore) || truthy(P->last) || truthy(P->suffix)) {
            Str parts[3] = {P->fore, P->last, P->suffix};
            Str name = {A.n, 0};
            int first = 1;
            for (int i = 0; i < 3; i++) {
                if (!truthy(parts[i])) continue;
                if (!first) putc1(&A, ' ');
                arena_append(parts[i]);
                first = 0;
            }
            name.len = A.n - name.off;
            L_lit(n, nl, T_NAME, name, 0);
        }
    }
    L_int(n, nl, T_AUTHOR_POSITION, position);
    if (P->has_orcid) {
        begin(n, nl, T_ORCID);
        putc1(&O, '<');
        put(&O, T[B_ORCID], TL[B_ORCID]);
        char f[19];
        memcpy(f, P->orcid, 4); f[4] = '-';
        memcpy(f + 5, P->orcid + 4, 4); f[9] = '-';
        memcpy(f + 10, P->orcid + 8, 4); f[14] = '-';
        memcpy(f + 15, P->orcid + 12, 4);
        put(&O, f, 19);
        putc1(&O, '>');
        end(0);
    }
    for (Py_ssize_t i = 0; i < P->n_affs; i++) L_lit(n, nl, T_AFFILIATION, affs[i], 1);
}

/* authors (`list_name`/`item_name` children of `parent`), with the 2013 DTD's article-level affiliation
 * for a first author that has none */
static void people(const xmlNode *parent, const char *list_name, const char *item_name, int investigators,
                   Str old_aff) {
    long i = 0;
    char n[256];
    EACH(lst, parent, list_name) {
        EACH(a, lst, item_name) {
            Person P;
            read_person(a, &P);
            if (bail || oom) return;
            i++;
            if (i == 1 && !investigators && truthy(old_aff) && P.n_affs == 0) {
                if (affs_cap < 1) {
                    affs = realloc(affs, 16 * sizeof(Str));
                    if (!affs) { oom = 1; return; }
                    affs_cap = 16;
                }
                affs[0] = strip(old_aff);
                P.n_affs = 1;
            }
            Py_ssize_t nl = node(n, investigators ? "investigator/" : "author/", i, 0);
            if (investigators) {
                L_iri(S, SL, T_INVESTIGATOR, n, nl, 0);
                L_term(n, nl, T_TYPE, T_INVESTIGATOR_CLASS, 0);
            } else {
                L_iri(S, SL, T_CREATOR, n, nl, 0);
            }
            emit_person(n, nl, &P, i);
        }
    }
}

static void journal(const xmlNode *j, const xmlNode *mji) {
    Str nlm = NONE, linking = NONE, ta = NONE, country = NONE, title = NONE, p = NONE, e = NONE;
    if (mji) {
        nlm = findtext(mji, "NlmUniqueID");
        linking = findtext(mji, "ISSNLinking");
        ta = findtext(mji, "MedlineTA");
        country = findtext(mji, "Country");
    }
    if (j) {
        EACH(is, j, "ISSN") {
            Str t = attr(is, "IssnType");
            Str v = raw_text(is);
            Str s = is_none(v) ? NONE : strip(v);
            if (s.off >= 0 && s.len == 0) s = NONE;
            if (streq(t, "Electronic")) e = s; else p = s;
        }
        title = text_of(child(j, "Title"));
    }
    if (bail || oom) return;
    Str issn = truthy(linking) ? linking : truthy(p) ? p : e;
    W.n = 0;
    if (truthy(nlm)) {
        putc1(&W, '<'); put(&W, T[B_JOURNAL_NLM], TL[B_JOURNAL_NLM]); put_quoted(&W, SP(nlm), nlm.len, "");
    } else if (truthy(issn)) {
        putc1(&W, '<'); put(&W, T[B_JOURNAL_ISSN], TL[B_JOURNAL_ISSN]); put_quoted(&W, SP(issn), issn.len, "");
    } else {
        return;
    }
    putc1(&W, '>');
    if (oom) return;
    const char *jn = W.p;
    Py_ssize_t jl = W.n;
    L_iri(S, SL, T_PART_OF, jn, jl, 0);
    L_term(jn, jl, T_TYPE, T_JOURNAL, 0);
    if (truthy(title)) L_lit(jn, jl, T_TITLE, title, 0);
    if (truthy(nlm)) { L_lit(jn, jl, T_NLM_UNIQUE_ID, nlm, 0); L_lit(jn, jl, T_NLM_JOURNAL_ID, nlm, 0); }
    if (issn_ok(p)) L_lit(jn, jl, T_ISSN, p, 0);
    if (issn_ok(e)) L_lit(jn, jl, T_EISSN, e, 0);
    if (issn_ok(linking)) L_lit(jn, jl, T_ISSN_LINKING, linking, 0);
    if (truthy(ta)) { L_lit(jn, jl, T_MEDLINE_TA, ta, 0); L_lit(jn, jl, T_NLM_TA, ta, 0); }
    if (truthy(country)) L_lit(jn, jl, T_COUNTRY, country, 0);
}

static int is_review(const xmlNode *art) {
    EACH(lst, art, "PublicationTypeList") {
        EACH(p, lst, "PublicationType") {
            Str ui = attr(p, "UI");
            if (ui.off >= 0)
                for (Py_ssize_t i = 0; i < n_review; i++)
                    if (streq(ui, review_uis[i])) return 1;
            Str name = text_of(p);
            if (streq(name, "Review")) return 1;
        }
    }
    return 0;
}

static void abstract(const xmlNode *ab) {
    if (!ab) return;
    /* pass 1: the joined text; sections with text only */
    long nsec = 0;
    int first_labelled = 0;
    W.n = 0;
    EACH(t, ab, "AbstractText") {
        Str txt = text_of(t);
        if (!truthy(txt)) continue;
        Str label = attr(t, "Label");
        if (nsec) putc1(&W, ' ');
        if (truthy(label)) { put(&W, SP(label), label.len); put(&W, ": ", 2); }
        put(&W, SP(txt), txt.len);
        if (nsec == 0) first_labelled = truthy(label);
        nsec++;
    }
    if (nsec == 0 || oom) return;
    L_lit(S, SL, T_ABSTRACT, arena_copy(W.p, W.n), 0);
    if (nsec < 2 && !first_labelled) return;
    long i = 0;
    char n[256];
    EACH(t, ab, "AbstractText") {
        Str txt = text_of(t);
        if (!truthy(txt)) continue;
        i++;
        Py_ssize_t nl = node(n, "abstract/", i, 0);
        L_iri(S, SL, T_ABSTRACT_SECTION, n, nl, 0);
        L_term(n, nl, T_TYPE, T_ABSTRACT_SECTION_CLASS, 0);
        L_int(n, nl, T_POSITION, i);
        L_lit(n, nl, T_TEXT, txt, 0);
        Str label = attr(t, "Label");
        if (truthy(label)) L_lit(n, nl, T_ABSTRACT_LABEL, label, 0);
        Str cat = attr(t, "NlmCategory");
        if (truthy(cat)) L_lit(n, nl, T_NLM_CATEGORY, cat, 0);
    }
}

static void mesh(const xmlNode *mc) {
    long i = 0;
    char n[256], qn[256];
    EACH(lst, mc, "MeshHeadingList") {
        EACH(mh, lst, "MeshHeading") {
            xmlNode *d = child(mh, "DescriptorName");
            if (!d) continue;
            i++;
            Str major_attr = attr(d, "MajorTopicYN");
            if (is_none(major_attr)) major_attr = attr(mh, "MajorTopicYN");
            int major = streq(major_attr, "Y");
            Str auto_hm = attr(d, "AutoHM");
            Str dtype = attr(d, "Type");
            Str dui = attr(d, "UI");
            Str dname = text_of(d);
            Py_ssize_t nl = node(n, "mesh/", i, 0);
            L_iri(S, SL, T_MESH_HEADING, n, nl, 0);
            L_term(n, nl, T_TYPE, T_HEADING_CLASS, 0);
            L_int(n, nl, T_POSITION, i);
            L_lit(n, nl, T_DESCRIPTOR_NAME, dname, 0);
            L_bool(n, nl, T_DESCRIPTOR_MAJOR, major);
            if (!is_none(auto_hm)) L_bool(n, nl, T_AUTO_HM, streq(auto_hm, "Y"));
            if (truthy(dtype)) L_lit(n, nl, T_DESCRIPTOR_TYPE, dtype, 0);
            int dok = mesh_ui(dui);
            if (bail) return;
            if (!dok && truthy(dui)) { bail = "malformed descriptor UI"; return; } /* Python rejects */
            if (dok) {
                L_mesh(n, nl, T_DESCRIPTOR, dui, 0);
                L_mesh(S, SL, T_SUBJECT, dui, 1);
                if (major) L_mesh(S, SL, T_PRIMARY, dui, 1);
            }
            long k = 0;
            EACH(q, mh, "QualifierName") {
                k++;
                Str qui = attr(q, "UI");
                int qmajor = streq(attr(q, "MajorTopicYN"), "Y");
                Str qauto = attr(q, "AutoHM");
                Str qname = text_of(q);
                Py_ssize_t ql = node(qn, "mesh/", i, k);
                L_iri(n, nl, T_QUALIFIER, qn, ql, 0);
                L_term(qn, ql, T_TYPE, T_QUALIFIER_CLASS, 0);
                L_int(qn, ql, T_POSITION, k);
                L_lit(qn, ql, T_QUALIFIER_NAME, qname, 0);
                L_bool(qn, ql, T_MAJOR_TOPIC, qmajor);
                if (!is_none(qauto)) L_bool(qn, ql, T_AUTO_HM, streq(qauto, "Y"));
                int qok = mesh_ui(qui);
                if (bail) return;
                if (!qok && truthy(qui)) { bail = "malformed qualifier UI"; return; } /* Python rejects */
                if (qok) L_mesh(qn, ql, T_QUALIFIER_TERM, qui, 0);
                if (qok && dok) {
                    Str pair = {A.n, 0};
                    arena_append(dui);
                    arena_append(qui);
                    pair.len = A.n - pair.off;
                    L_mesh(qn, ql, T_PAIR_TERM, pair, 0);
                    L_mesh(S, SL, T_SUBJECT, pair, 1);
                    if (qmajor) L_mesh(S, SL, T_PRIMARY, pair, 1);
                }
            }
        }
    }
}

/* `S predicate <mesh UI>` for each `item` of each `list` under `parent` whose UI (on the item, or on its
 * `via` child) is a MeSH UI: publication types, chemicals, supplementary concepts. */
static void mesh_terms(const xmlNode *parent, const char *list, const char *item, const char *via, int predicate) {
    EACH(lst, parent, list) {
        EACH(it, lst, item) {
            const xmlNode *n = via ? child(it, via) : it;
            if (!n) continue;
            Str ui = attr(n, "UI");
            if (mesh_ui(ui)) L_mesh(S, SL, predicate, ui, 1);
            else if (truthy(ui)) { bail = "malformed MeSH UI"; return; } /* Python rejects the record */
        }
    }
}

static void references(const xmlNode *pd) {
    EACH(lst, pd, "ReferenceList") {
        EACH(r, lst, "Reference") {
            Str pmid = NONE, doi = NONE;
            EACH(ids, r, "ArticleIdList") {
                for (xmlNode *aid = ids->children; aid; aid = aid->next) {
                    if (aid->type != XML_ELEMENT_NODE) continue;
                    Str t = attr(aid, "IdType");
                    if (streq(t, "pubmed") && is_none(pmid)) {
                        Str v = raw_text(aid);
                        v = is_none(v) ? v : strip(v);
                        pmid = truthy(v) ? v : NONE;
                    } else if (streq(t, "doi") && is_none(doi)) {
                        Str v = raw_text(aid);
                        v = is_none(v) ? v : strip(v);
                        doi = truthy(v) ? v : NONE;
                    }
                }
            }
            if (bail) return;
            if (truthy(pmid) && ascii_digits(pmid)) {
                L_article_ref(S, SL, T_CITES, pmid);
            } else if (bail) {
                return;
            } else if (doi_ok(doi)) {
                begin(S, SL, T_CITES);
                putc1(&O, '<');
                put(&O, T[B_DOI], TL[B_DOI]);
                put_quoted(&O, SP(doi), doi.len, "/:;()._-");
                putc1(&O, '>');
                end(1);
            }
        }
    }
}

static void comments(const xmlNode *mc) {
    EACH(lst, mc, "CommentsCorrectionsList") {
        EACH(c, lst, "CommentsCorrections") {
            Str rt = attr(c, "RefType");
            Str pm = findtext(c, "PMID");
            pm = is_none(pm) ? pm : strip(pm);
            const char *term = NULL;
            for (Py_ssize_t i = 0; i < n_comment && rt.off >= 0; i++)
                if (streq(rt, comment_types[i].key)) { term = comment_types[i].term; break; }
            if (!term || !truthy(pm)) continue;
            if (!ascii_digits(pm)) { if (bail) return; continue; }
            begin_p(S, SL, term, (Py_ssize_t)strlen(term));
            putc1(&O, '<');
            put(&O, T[B_ARTICLE], TL[B_ARTICLE]);
            put(&O, SP(pm), pm.len);
            putc1(&O, '>');
            end(1);
        }
    }
}

/* ------------------------------------------------------------------------------------------------ */

static void article(const xmlNode *pa, Str *pmid_out, long *version_out) {
    xmlNode *mc = child(pa, "MedlineCitation");
    if (!mc) { bail = "no MedlineCitation"; return; }
    xmlNode *pn = child(mc, "PMID");
    if (!pn) { bail = "no PMID"; return; }
    Str pmid = raw_text(pn);
    for (xmlNode *c = pn->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) { bail = "PMID has child elements"; return; }
    pmid = strip(pmid);
    if (!ascii_digits(pmid) || SP(pmid)[0] == '0' || pmid.len > 12) { if (!bail) bail = "PMID is not a positive integer"; return; }
    Str vs = attr(pn, "Version");
    long version = 1;
    if (truthy(vs)) {
        int d = ascii_digits(vs);
        if (bail) return;
        if (d) {
            if (vs.len > 9) { bail = "long version"; return; }
            version = to_long(SP(vs), vs.len);
        } else {
            bail = "malformed version"; /* Python rejects the record */
            return;
        }
    }
    if (!plain_tree(pa)) { bail = "entity reference, comment or processing instruction"; return; }
    xmlNode *art = child(mc, "Article");
    if (!art) { bail = "no Article"; return; }
    *pmid_out = pmid;
    *version_out = version;

    SL = snprintf(S, sizeof S, "<%s%.*s>", T[B_ARTICLE], (int)pmid.len, SP(pmid));
    GL = snprintf(G, sizeof G, "<%s%.*s>", T[B_GRAPH], (int)pmid.len, SP(pmid));
    NBL = snprintf(NB, sizeof NB, "<%s%.*s/", T[B_NODE], (int)pmid.len, SP(pmid));

    xmlNode *j = child(art, "Journal");
    xmlNode *ji = child(j, "JournalIssue");
    long year; int month, day; Str medline;
    if (!pub_date(child(ji, "PubDate"), &year, &month, &day, &medline)) { if (!bail) bail = "date"; return; }
    if (bail) return;
    xmlNode *mji = child(mc, "MedlineJournalInfo");
    xmlNode *pd = child(pa, "PubmedData");

    /* identifiers: PubmedData/ArticleIdList first, then ELocationID for a missing doi or pii */
    Str doi = NONE, pmc = NONE, pii = NONE;
    int have_doi = 0, have_pmc = 0, have_pii = 0;
    EACH(aid, child(pd, "ArticleIdList"), "ArticleId") {
        Str t = attr(aid, "IdType");
        Str v = raw_text(aid);
        if (!truthy(v)) continue;
        if (t.off >= 0 && has_non_ascii(SP(t), t.len)) { bail = "non-ASCII IdType"; return; }
        char low[8] = {0};
        if (is_none(t) || t.len > 5) continue;
        for (Py_ssize_t i = 0; i < t.len; i++) low[i] = (char)tolower((unsigned char)SP(t)[i]);
        if (!strcmp(low, "doi") && !have_doi) { doi = strip(v); have_doi = 1; }
        else if (!strcmp(low, "pmc") && !have_pmc) { pmc = strip(v); have_pmc = 1; }
        else if (!strcmp(low, "pii") && !have_pii) { pii = strip(v); have_pii = 1; }
    }
    EACH(el, art, "ELocationID") {
        Str t = attr(el, "EIdType");
        Str v = raw_text(el);
        if (streq(t, "doi") && !truthy(doi) && truthy(v)) doi = strip(v);
        else if (streq(t, "pii") && !truthy(pii) && truthy(v)) pii = strip(v);
    }
    if (bail || oom) return;

    /* types, identifiers, titles */
    L_term(S, SL, T_TYPE, T_JOURNAL_ARTICLE, 0);
    if (is_review(art)) L_term(S, SL, T_TYPE, T_REVIEW, 0);
    L_lit(S, SL, T_PMID, pmid, 0);
    L_int(S, SL, T_PMID_VERSION, version);
    Str title = text_of(child(art, "ArticleTitle"));
    if (truthy(title)) L_lit(S, SL, T_TITLE, title, 0);
    Str vt = text_of(child(art, "VernacularTitle"));
    if (truthy(vt)) L_lit(S, SL, T_VERNACULAR_TITLE, vt, 0);
    abstract(child(art, "Abstract"));
    EACH(oa, mc, "OtherAbstract") {
        Str t = text_of(oa);
        if (truthy(t)) L_lit(S, SL, T_OTHER_ABSTRACT, t, 1);
    }
    if (year >= 0) {
        char lex[64];
        int k;
        int dt;
        if (month && day) { k = snprintf(lex, sizeof lex, "%04ld-%02d-%02d", year, month, day); dt = T_XSD_DATE; }
        else if (month) { k = snprintf(lex, sizeof lex, "%04ld-%02d", year, month); dt = T_XSD_GYEARMONTH; }
        else { k = snprintf(lex, sizeof lex, "%04ld", year); dt = T_XSD_GYEAR; }
        begin(S, SL, T_DATE);
        putc1(&O, '"'); put(&O, lex, k); putc1(&O, '"'); put(&O, "^^", 2); put(&O, T[dt], TL[dt]);
        end(0);
        k = snprintf(lex, sizeof lex, "%04ld", year);
        begin(S, SL, T_PUBLICATION_YEAR);
        putc1(&O, '"'); put(&O, lex, k); putc1(&O, '"'); put(&O, "^^", 2); put(&O, T[T_XSD_GYEAR], TL[T_XSD_GYEAR]);
        end(0);
    }
    if (truthy(medline)) L_lit(S, SL, T_MEDLINE_DATE, medline, 0);
    EACH(lg, art, "Language") {
        Str v = raw_text(lg);
        if (truthy(v)) L_lit(S, SL, T_LANGUAGE, strip(v), 1);
    }
    if (doi_ok(doi)) L_lit(S, SL, T_DOI, doi, 0);
    if (truthy(pmc)) L_lit(S, SL, T_PMCID, pmc, 0);
    if (truthy(pii)) L_lit(S, SL, T_PII, pii, 0);
    Str st = attr(mc, "Status"), ow = attr(mc, "Owner"), im = attr(mc, "IndexingMethod");
    if (truthy(st)) L_lit(S, SL, T_CITATION_STATUS, st, 0);
    if (truthy(ow)) L_lit(S, SL, T_CITATION_OWNER, ow, 0);
    if (truthy(im)) L_lit(S, SL, T_INDEXING_METHOD, im, 0);
    if (ji) {
        Str v = findtext(ji, "Volume");
        if (truthy(v)) L_lit(S, SL, T_VOLUME, v, 0);
        v = findtext(ji, "Issue");
        if (truthy(v)) L_lit(S, SL, T_ISSUE, v, 0);
    }
    Str pages = NONE;
    EACH(pg, art, "Pagination") {
        xmlNode *m = child(pg, "MedlinePgn");
        if (m) { pages = findtext(pg, "MedlinePgn"); break; }
    }
    if (truthy(pages)) L_lit(S, SL, T_PAGES, pages, 0);
    if (bail || oom) return;

    people(art, "AuthorList", "Author", 0, findtext(art, "Affiliation"));
    if (bail || oom) return;
    people(mc, "InvestigatorList", "Investigator", 1, NONE);
    if (bail || oom) return;
    journal(j, mji);
    if (bail || oom) return;

    mesh_terms(art, "PublicationTypeList", "PublicationType", NULL, T_PUBLICATION_TYPE);
    if (bail) return;
    mesh_terms(mc, "ChemicalList", "Chemical", "NameOfSubstance", T_CHEMICAL);
    if (bail) return;
    mesh_terms(mc, "SupplMeshList", "SupplMeshName", NULL, T_SUPPLEMENTARY_CONCEPT);
    if (bail) return;
    EACH(lst, mc, "KeywordList") {
        EACH(k, lst, "Keyword") {
            Str t = text_of(k);
            if (truthy(t)) L_lit(S, SL, T_KEYWORD, t, 1);
        }
    }
    long gi = 0;
    char gn[256];
    EACH(lst, art, "GrantList") {
        EACH(g, lst, "Grant") {
            gi++;
            Py_ssize_t nl = node(gn, "grant/", gi, 0);
            L_iri(S, SL, T_GRANT, gn, nl, 0);
            L_term(gn, nl, T_TYPE, T_GRANT_CLASS, 0);
            Str v = findtext(g, "GrantID");
            if (truthy(v)) L_lit(gn, nl, T_GRANT_ID, v, 0);
            v = findtext(g, "Agency");
            if (truthy(v)) L_lit(gn, nl, T_GRANT_AGENCY, v, 0);
            v = findtext(g, "Country");
            if (truthy(v)) L_lit(gn, nl, T_GRANT_COUNTRY, v, 0);
            v = findtext(g, "Acronym");
            if (truthy(v)) L_lit(gn, nl, T_GRANT_ACRONYM, v, 0);
        }
    }
    if (bail || oom) return;
    references(pd);
    if (bail || oom) return;
    comments(mc);
    if (bail || oom) return;
    mesh(mc);
}

/* The graph's provenance (kg.rdf.provenance.graph_lines): one line per fixed "predicate object" middle,
 * then the primary source, which is the article. */
static void provenance(PyObject *middles) {
    Py_ssize_t n = PyTuple_GET_SIZE(middles);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *m = PyTuple_GET_ITEM(middles, i);
        put(&O, G, GL);
        putc1(&O, ' ');
        put(&O, PyBytes_AS_STRING(m), PyBytes_GET_SIZE(m));
        end(0);
    }
    begin(G, GL, T_PRIMARY_SOURCE);
    put(&O, S, SL);
    end(0);
}

static PyObject *map_article(PyObject *self, PyObject *args) {
    PyObject *arg, *middles;
    if (!PyArg_ParseTuple(args, "OO!", &arg, &PyTuple_Type, &middles)) return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "kg._pubmed_fast.configure() was not called");
        return NULL;
    }
    if (!PyObject_TypeCheck(arg, element_type)) {
        PyErr_SetString(PyExc_TypeError, "map_article expects an lxml element");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(middles); i++)
        if (!PyBytes_Check(PyTuple_GET_ITEM(middles, i))) {
            PyErr_SetString(PyExc_TypeError, "map_article: provenance middles must be bytes");
            return NULL;
        }
    xmlNode *pa = ((LxmlElement *)arg)->_c_node;
    bail = NULL;
    oom = 0;
    A.n = 0;
    n_lines = 0;
    if (!pa || !is_el(pa, "PubmedArticle")) { bail = "not a PubmedArticle"; Py_RETURN_NONE; }
    if (pa->doc && pa->doc->intSubset && pa->doc->intSubset->attributes) {
        bail = "the document's DTD declares attribute defaults";
        Py_RETURN_NONE;
    }
    if (set_reset()) return PyErr_NoMemory();
    /* The output is written straight into a bytes object sized from the last record (no copy at the end);
     * if a record outgrows it, grow() resizes it. */
    static Py_ssize_t last_size = 1 << 16;
    Py_ssize_t want = last_size + last_size / 4 + 4096;
    O.bytes = PyBytes_FromStringAndSize(NULL, want);
    if (!O.bytes) return NULL;
    O.p = PyBytes_AS_STRING(O.bytes);
    O.cap = want;
    O.n = 0;
    Str pmid = NONE;
    long version = 1;
    article(pa, &pmid, &version);
    if (!oom && !bail) provenance(middles);
    PyObject *data = O.bytes;
    O.bytes = NULL;
    O.p = NULL;
    O.cap = 0;
    if (oom || bail) {
        Py_XDECREF(data);
        if (oom) return PyErr_NoMemory();
        Py_RETURN_NONE;
    }
    last_size = O.n;
    if (_PyBytes_Resize(&data, O.n) < 0) return NULL;
    PyObject *pm = PyUnicode_DecodeUTF8(SP(pmid), pmid.len, "strict");
    if (!pm) { Py_DECREF(data); return NULL; }
    PyObject *r = Py_BuildValue("(NlNl)", pm, version, data, n_lines);
    /* keep the arena from pinning memory after a huge record */
    if (A.cap > (1 << 24)) { free(A.p); A.p = NULL; A.cap = 0; }
    return r;
}

static PyObject *last_decline(PyObject *self, PyObject *unused) {
    if (!bail) Py_RETURN_NONE;
    return PyUnicode_FromString(bail);
}

static PyObject *term_names(PyObject *self, PyObject *unused) {
    PyObject *t = PyTuple_New(N_TERMS);
    for (int i = 0; i < N_TERMS; i++) PyTuple_SET_ITEM(t, i, PyUnicode_FromString(TERM_NAMES[i]));
    return t;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(terms, review_uis, comment_types): the N-Triples terms and IRI bases (see kg/rdf/fast.py)."},
    {"map_article", map_article, METH_VARARGS,
     "map_article(element, provenance) -> (pmid, version, nquads, triples), or None when the record is\n"
     "declined. `provenance` is a tuple of bytes b'<predicate> <object>' (kg.rdf.provenance); nquads is\n"
     "the UTF-8 text of the whole graph."},
    {"last_decline", last_decline, METH_NOARGS, "Why the last record was declined, or None."},
    {"term_names", term_names, METH_NOARGS, "The names `configure` expects in its terms dict."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pubmed_fast", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__pubmed_fast(void) {
    PyObject *etree = PyImport_ImportModule("lxml.etree");
    if (!etree) return NULL;
    element_type = (PyTypeObject *)PyObject_GetAttrString(etree, "_Element");
    Py_DECREF(etree);
    if (!element_type) return NULL;
    return PyModule_Create(&module);
}
