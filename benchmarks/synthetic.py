"""Write a synthetic baseline-sized PubMed XML file (default 30,000 articles, gzipped).

Shapes and sizes follow a real baseline file (12.8 KB of XML per record at the default seed; the 2019
sample in ../shared/data/fatcat holds 10.6 KB per record): 1-15 authors with
affiliations and sometimes an ORCID (1 in 200 records has hundreds of authors, 1 in 500 thousands of
investigators), structured abstracts in a fifth of records, inline markup, 8-20 MeSH headings with about
half carrying qualifiers, chemicals, keywords, grants, 0-60 references, comments/corrections, MedlineDate
and Season dates, and a DeleteCitation at the end. The words are random: no third-party text is used.
Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import gzip
import random
from pathlib import Path

WORDS = ("tumour cell growth signalling pathway expression receptor kinase metastasis liver colon patients "
         "cohort analysis treatment response survival therapy inhibitor protein gene mutation risk model "
         "macrophage exosome invasion migration angiogenesis factor level clinical study associated increased "
         "reduced significant outcome marker tissue sample mouse human vivo vitro cancer carcinoma").split()
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DESCRIPTORS = [(f"D{n:06d}", f"Descriptor {n}") for n in range(1000, 1400)]
QUALIFIERS = [(f"Q{n:06d}", f"qualifier {n}") for n in range(1, 80)]
LABELS = ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]


def words(r: random.Random, n: int) -> str:
    return " ".join(r.choice(WORDS) for _ in range(n))


def person(r: random.Random, tag: str = "Author") -> str:
    orcid = (f'<Identifier Source="ORCID">0000-000{r.randint(1, 9)}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}'
             "</Identifier>") if r.random() < 0.2 else ""
    affs = "".join(f"<AffiliationInfo><Affiliation>Department of {words(r, 2)}, University {r.randint(1, 500)}, "
                   f"City {r.randint(1, 99)}.</Affiliation></AffiliationInfo>" for _ in range(r.randint(0, 2)))
    ln = "".join(r.choice("bcdfghklmnprstvz") + r.choice("aeiou") for _ in range(r.randint(2, 4))).title()
    fn = "".join(r.choice("bcdfghklmnprstvz") + r.choice("aeiou") for _ in range(r.randint(1, 3))).title()
    return (f'<{tag} ValidYN="Y"><LastName>{ln}</LastName><ForeName>{fn}</ForeName><Initials>{fn[0]}</Initials>'
            f"{orcid}{affs}</{tag}>")


def record(r: random.Random, pmid: int) -> str:
    x = r.random()
    if x < 0.05:
        date = f"<MedlineDate>{r.randint(1970, 2020)} {r.choice(MONTHS)}-{r.choice(MONTHS)}</MedlineDate>"
    elif x < 0.08:
        date = f"<Year>{r.randint(1970, 2024)}</Year><Season>Spring</Season>"
    else:
        date = f"<Year>{r.randint(1970, 2024)}</Year><Month>{r.choice(MONTHS)}</Month><Day>{r.randint(1, 28):02d}</Day>"
    n_auth = r.choice([r.randint(300, 900)]) if r.random() < 0.005 else r.randint(1, 15)
    authors = "".join(person(r) for _ in range(n_auth))
    if r.random() < 0.03:
        authors += f"<Author ValidYN=\"Y\"><CollectiveName>{words(r, 3).title()} Group</CollectiveName></Author>"
    inv = ""
    if r.random() < 0.002:
        inv = "<InvestigatorList>" + "".join(person(r, "Investigator") for _ in range(r.randint(1000, 3000))) + "</InvestigatorList>"
    if r.random() < 0.2:
        abstract = "".join(f'<AbstractText Label="{lb}" NlmCategory="{lb}">{words(r, r.randint(30, 70))} '
                           f"<i>{words(r, 2)}</i> p<sub>1</sub>.</AbstractText>" for lb in LABELS)
    else:
        abstract = f"<AbstractText>{words(r, r.randint(120, 260))} IL-6<sup>+</sup>.</AbstractText>"
    abstract = f"<Abstract>{abstract}</Abstract>" if r.random() < 0.85 else ""
    heads = []
    for d, name in r.sample(DESCRIPTORS, r.randint(8, 20)):
        qs = "".join(f'<QualifierName UI="{q}" MajorTopicYN="{"Y" if r.random() < 0.3 else "N"}">{qn}</QualifierName>'
                     for q, qn in r.sample(QUALIFIERS, r.choice([0, 0, 1, 1, 2, 3])))
        heads.append(f'<MeshHeading><DescriptorName UI="{d}" MajorTopicYN="{"Y" if r.random() < 0.15 else "N"}">'
                     f"{name}</DescriptorName>{qs}</MeshHeading>")
    chems = "".join(f'<Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance UI="D{r.randint(10000, 99999):06d}">'
                    f"{words(r, 2)}</NameOfSubstance></Chemical>" for _ in range(r.randint(0, 6)))
    kws = "".join(f'<Keyword MajorTopicYN="N">{words(r, 2)}</Keyword>' for _ in range(r.randint(0, 6)))
    grants = "".join(f"<Grant><GrantID>R01 CA{r.randint(10000, 99999)}</GrantID><Agency>NCI NIH HHS</Agency>"
                     "<Country>United States</Country></Grant>" for _ in range(r.randint(0, 3)))
    refs = "".join(f"<Reference><Citation>{words(r, 12)}. J {r.randint(1, 99)}.</Citation><ArticleIdList>"
                   f'<ArticleId IdType="pubmed">{r.randint(1, 35000000)}</ArticleId></ArticleIdList></Reference>'
                   for _ in range(r.choice([0, 0, r.randint(10, 60)])))
    cc = (f'<CommentsCorrectionsList><CommentsCorrections RefType="ErratumIn"><RefSource>J {r.randint(1, 9)}</RefSource>'
          f'<PMID Version="1">{r.randint(1, 35000000)}</PMID></CommentsCorrections></CommentsCorrectionsList>'
          if r.random() < 0.05 else "")
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM" IndexingMethod="Curated">
<PMID Version="1">{pmid}</PMID><DateCompleted><Year>2020</Year><Month>01</Month><Day>01</Day></DateCompleted>
<Article PubModel="Print-Electronic"><Journal><ISSN IssnType="Electronic">{r.randint(1000, 9999)}-{r.randint(100, 999)}X</ISSN>
<JournalIssue CitedMedium="Internet"><Volume>{r.randint(1, 200)}</Volume><Issue>{r.randint(1, 12)}</Issue><PubDate>{date}</PubDate></JournalIssue>
<Title>Journal of {words(r, 2).title()}</Title><ISOAbbreviation>J {words(r, 1).title()}</ISOAbbreviation></Journal>
<ArticleTitle>{words(r, r.randint(8, 20)).capitalize()} in <i>vivo</i>.</ArticleTitle>
<Pagination><MedlinePgn>{r.randint(1, 900)}-{r.randint(901, 999)}</MedlinePgn></Pagination>
<ELocationID EIdType="doi" ValidYN="Y">10.{r.randint(1000, 9999)}/j.{pmid}</ELocationID>
{abstract}<AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>
<GrantList CompleteYN="Y">{grants}</GrantList>
<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>{'<PublicationType UI="D016454">Review</PublicationType>' if r.random() < 0.15 else ''}</PublicationTypeList>
</Article><MedlineJournalInfo><Country>England</Country><MedlineTA>J {words(r, 1).title()}</MedlineTA>
<NlmUniqueID>{r.randint(100000, 999999)}</NlmUniqueID><ISSNLinking>{r.randint(1000, 9999)}-{r.randint(100, 999)}X</ISSNLinking></MedlineJournalInfo>
<ChemicalList>{chems}</ChemicalList><CitationSubset>IM</CitationSubset>{cc}
<MeshHeadingList>{"".join(heads)}</MeshHeadingList>{inv}<KeywordList Owner="NOTNLM">{kws}</KeywordList>
</MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="pubmed"><Year>2020</Year><Month>1</Month><Day>1</Day></PubMedPubDate></History>
<PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>
<ArticleId IdType="doi">10.{r.randint(1000, 9999)}/j.{pmid}</ArticleId>{f'<ArticleId IdType="pmc">PMC{pmid}</ArticleId>' if r.random() < 0.3 else ''}</ArticleIdList>
<ReferenceList>{refs}</ReferenceList></PubmedData></PubmedArticle>
"""


def write(path: Path, n: int, seed: int = 20220304) -> Path:
    r = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
                '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
        for i in range(n):
            f.write(record(r, 30000000 + i))
        f.write("<DeleteCitation>" + "".join(f'<PMID Version="1">{30000000 + i}</PMID>' for i in range(0, n, 1000))
                + "</DeleteCitation>\n</PubmedArticleSet>\n")
    tmp.rename(path)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=30000)
    ap.add_argument("-o", default=".bench/synthetic-30000.xml.gz")
    a = ap.parse_args()
    print(write(Path(a.o), a.n))
