"""Small hand-written PubMed XML documents for mapping and bad-input tests (no third-party text)."""

from __future__ import annotations

HEAD = '<?xml version="1.0"?>\n<PubmedArticleSet>\n'
TAIL = "</PubmedArticleSet>\n"


def article(pmid: str, *, version: int = 1, title: str = "A test article about colorectal cancer.",
            date: str = "<Year>2021</Year><Month>Feb</Month><Day>03</Day>", mesh: str | None = None,
            authors: str | None = None, pubtypes: str = '<PublicationType UI="D016428">Journal Article</PublicationType>',
            extra_medline: str = "", pubmed_data: str = "") -> str:
    if authors is None:
        authors = ('<Author ValidYN="Y"><LastName>Doe</LastName><ForeName>Jane</ForeName><Initials>J</Initials>'
                   '<Identifier Source="ORCID">0000-0002-1825-0097</Identifier>'
                   '<AffiliationInfo><Affiliation>Dept A</Affiliation></AffiliationInfo></Author>'
                   '<Author ValidYN="Y"><LastName>Roe</LastName><ForeName>Rich</ForeName><Initials>R</Initials></Author>'
                   '<Author ValidYN="Y"><CollectiveName>The Test Consortium</CollectiveName></Author>')
    if mesh is None:
        mesh = ('<MeshHeadingList>'
                '<MeshHeading><DescriptorName UI="D015179" MajorTopicYN="N">Colorectal Neoplasms</DescriptorName>'
                '<QualifierName UI="Q000473" MajorTopicYN="Y">pathology</QualifierName>'
                '<QualifierName UI="Q000188" MajorTopicYN="N">drug therapy</QualifierName></MeshHeading>'
                '<MeshHeading><DescriptorName UI="D008113" MajorTopicYN="Y">Liver Neoplasms</DescriptorName></MeshHeading>'
                '<MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>'
                '</MeshHeadingList>')
    return f"""<PubmedArticle>
<MedlineCitation Status="MEDLINE" Owner="NLM" IndexingMethod="Curated">
<PMID Version="{version}">{pmid}</PMID>
<Article PubModel="Print">
<Journal><ISSN IssnType="Print">1234-5678</ISSN><JournalIssue CitedMedium="Print"><Volume>7</Volume><Issue>1</Issue>
<PubDate>{date}</PubDate></JournalIssue><Title>Journal of Tests</Title><ISOAbbreviation>J Tests</ISOAbbreviation></Journal>
<ArticleTitle>{title}</ArticleTitle>
<Pagination><MedlinePgn>1-10</MedlinePgn></Pagination>
<Abstract><AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Some <i>background</i> text.</AbstractText>
<AbstractText Label="RESULTS" NlmCategory="RESULTS">HGF promotes metastasis.</AbstractText></Abstract>
<AuthorList CompleteYN="Y">{authors}</AuthorList>
<Language>eng</Language>
<PublicationTypeList>{pubtypes}</PublicationTypeList>
</Article>
<MedlineJournalInfo><Country>England</Country><MedlineTA>J Tests</MedlineTA><NlmUniqueID>9999999</NlmUniqueID><ISSNLinking>1234-5678</ISSNLinking></MedlineJournalInfo>
{mesh}
{extra_medline}
</MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId><ArticleId IdType="doi">10.1000/test.{pmid}</ArticleId></ArticleIdList>{pubmed_data}</PubmedData>
</PubmedArticle>
"""


def document(*records: str) -> str:
    return HEAD + "".join(records) + TAIL


def delete_citation(*pmids: str) -> str:
    return "<DeleteCitation>" + "".join(f'<PMID Version="1">{p}</PMID>' for p in pmids) + "</DeleteCitation>\n"
