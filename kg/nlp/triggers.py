"""What the relation reader looks for: triggers (verbs, nominalisations, drug roles, switch-off phrases,
negation, hedging) as regular expressions, the `Trigger` each sign gives, and BioRED's typing conventions.

`kg.nlp.relations` pairs mentions and reads these patterns between them; the rules are described there.
Split from it so the vocabulary of the patterns changes apart from the pairing logic (re-exported there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tagger import Mention


@dataclass(frozen=True, slots=True)
class Trigger:
    direction: str       # increased | decreased | associated | involved | means | bound
    predicate: str       # direct predicate (CURIE of RO or biolink)
    assoc_predicate: str  # the Association's biolink predicate


INCREASED = Trigger("increased", "RO:0002213", "biolink:affects")
DECREASED = Trigger("decreased", "RO:0002212", "biolink:affects")
ASSOCIATED = Trigger("associated", "biolink:associated_with", "biolink:associated_with")
INVOLVED = Trigger("involved", "RO:0002326", "biolink:contributes_to")
BOUND = Trigger("bound", "biolink:directly_physically_interacts_with", "biolink:directly_physically_interacts_with")
MEANS_TRIGGER = Trigger("means", "RO:0002326", "biolink:contributes_to")

RELATION_TYPES = ("Positive_Correlation", "Negative_Correlation", "Association", "Bind", "Cotreatment",
                  "Drug_Interaction")


def _verbs(e_stems: str, stems: str) -> str:
    """Verb forms only: stems ending in a dropped e (promot -> promote/promotes/promoted/promoting) and
    plain stems (inhibit -> inhibit/inhibits/inhibited/inhibiting). No nouns: not "promoter", "inhibitor"."""
    return rf"(?:{e_stems})(?:e|es|ed|ing)|(?:{stems})(?:s|ed|ing)?"


# "Y secondary to X", "Y due to X", "Y resulting from X": X raises Y, the agent comes second
_CAUSED_BY = r"(?:secondary|due|owing|attributed|attributable) to|result(?:s|ed|ing)? from|as a result of"
_INC_RESULT = r"|result(?:s|ed|ing)? in|lead(?:s|ing)? to|led to|gives? rise to|gave rise to"
_INC = _verbs(r"promot|induc|activat|enhanc|increas|up-?regulat|stimulat|facilitat|accelerat|potentiat|elevat|"
              r"caus|exacerbat|aggravat|mediat|provok|evok",
              r"trigger|augment|boost|elicit") + r"|amplif(?:y|ies|ied|ying)|driv(?:e|es|ing)|driven|drove|" \
    r"(?:is|are|was|were) (?:required|essential|necessary) for" + _INC_RESULT
_DEC = _verbs(r"reduc|decreas|down-?regulat|attenuat|abrogat|antagoniz|antagonis|alleviat|ameliorat|mitigat|"
              r"eliminat|negat|reliev|revers|overcom",
              r"inhibit|suppress|block|repress|abolish|impair|prevent|diminish|lower|treat|protect") + \
    r"|overcame|overcome"
_ASSOC = (r"(?:associat|correlat)(?:ed|es|e|ing) with|linked (?:to|with)|related to|implicated in|involved in|"
          r"participat\w* in|plays? (?:an? )?(?:\w+ )?roles? in|contribut(?:e|es|ed|ing) to|"
          + _verbs("regulat|modulat|affect", "alter|influenc") + r"|predispos\w* to|risk factors? for")
_BIND = (r"bind(?:s|ing)? (?:to|with)|binds?|bound(?: to| by| with)?|interact(?:s|ed|ing)? with|"
         r"complex(?:es|ed)? with")
# Nominalisations are triggers only with "of" after them: "activation of Y", never a bare noun.
_NOM_INC = r"(?:activation|induction|stimulation|upregulation|up-regulation|enhancement|elevation|promotion)"
_NOM_DEC = (r"(?:inhibition|suppression|reduction|downregulation|down-regulation|attenuation|repression|"
            r"blockade|abrogation|treatment|prevention)")
_NOM_ASSOC = r"(?:regulation|modulation)"

_TRIGGER_RE = re.compile(
    rf"\b(?:(?P<inc>{_INC})|(?P<rinc>{_CAUSED_BY})|(?P<dec>{_DEC})|(?P<assoc>{_ASSOC})|(?P<bind>{_BIND})|"
    rf"(?P<ninc>{_NOM_INC}) of|(?P<ndec>{_NOM_DEC}) of|(?P<nassoc>{_NOM_ASSOC}) of)\b", re.I)
_SIGN = {"inc": 1, "rinc": 1, "dec": -1, "assoc": 0, "bind": 0, "ninc": 1, "ndec": -1, "nassoc": 0}

# Something that switches the entity off: its effect on others is the opposite of the trigger's.
_OFF = (r"knock-?down|knock-?out|silencing|depletion|deletion|loss|deficiency|inhibition|inhibitors?|blockade|"
        r"blocking|blocker|antagonists?|suppression|down-?regulation|ablation|inactivation|disruption|lack|"
        r"absence|neutrali[sz]ation|(?:si|sh)rnas?")
_OFF_BEFORE = re.compile(rf"\b(?:{_OFF})\s+(?:of|against|to|targeting)\s+(?:the\s+|an?\s+)?", re.I)
_OFF_AFTER = re.compile(rf"[\s-]*(?:{_OFF}|deficient|null|-/-|knockdown|antagonism)\b", re.I)
# "X-induced Y", "X-mediated Y", "X-associated Y": the mention before is the agent of the one after.
_COMPOUND = re.compile(r"^\s?[-\u2010\u2011]\s?(?:(?P<inc>induced|mediated|dependent|driven|stimulated|triggered|"
                       r"evoked|elicited|promoted|activated|enhanced)|(?P<dec>inhibited|suppressed|repressed|blocked)|"
                       r"(?P<assoc>associated|related|linked))\b(?P<rest>[^,;:()]{0,40})$", re.I)
_BY = re.compile(r"^\s*(?:(?:in|at|after|upon|within)\s+[\w-]+(?:\s+[\w-]+)?)?\s*,?\s*by\b", re.I)
_NOUN_AFTER = re.compile(r"^\s+(?:of|in)\b", re.I)
_IN_CONTEXT = re.compile(r"^\s+(?:\w+ly\s+)?(?:in|among|during|after|following|upon|with)\b", re.I)
_ARTICLE = re.compile(r"\s+(?:the\s+)?")
_NOMINAL_BY = re.compile(r"\s*(?:\w+\s+){0,2}?by\s+(?:the\s+)?", re.I)
_INVOLVED = re.compile(r"implicated|involved|participat|plays?|contribut", re.I)
_WITH = re.compile(r"^\s+with\b", re.I)
_COPULA = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.I)
# "association between X and Y", "interaction of X with Y", "effect of X on Y", "role of X in Y"; the
# first entity may carry a genetic or measurement head: "association between polymorphisms in X and Y"
_BETWEEN = re.compile(r"\b(?P<noun>(?:(?P<pos>positive|direct)\s+|(?P<neg>negative|inverse)\s+)?(?:association|"
                      r"correlation|relationship|link|(?P<bind>interaction|binding))s?\s+(?:(?P<btw>between)|of)|"
                      r"(?:effects?|impact|influence|roles?)\s+of)\s+(?:the\s+|an?\s+)?"
                      r"(?:(?:[\w-]+\s+)?(?:polymorphisms?|variants?|mutations?|snps?|levels?|expression)\s+"
                      r"(?:in|of)\s+(?:the\s+)?)?", re.I)
# two drugs given together: "X plus Y", "X in combination with Y", "combination of X and Y"
_COTREAT_GAP = re.compile(r"\s*(?:plus|\+|in combination with|combined with|together with|co-?administered with)\s*$",
                          re.I)
_COMBINATION_BEFORE = re.compile(r"\b(?:(?:combination|co-?treatment|co-?administration|combined treatment)\s+"
                                 r"(?:therapy\s+)?(?:of|with)|(?:supplementation|treatment|therapy|treated)\s+with)\s+"
                                 r"(?:the\s+)?$", re.I)
_THERAPY_FOR = re.compile(r"\s*-?\s*(?:based\s+)?(?:therapy|treatment|regimens?|administration|monotherapy)\s+"
                          r"(?:for|in|of)\s+(?:(?:patients|subjects|children|adults|women|men)\s+with\s+)?"
                          r"(?:the\s+)?$", re.I)
# "the EGFR inhibitor gefitinib", "paroxetine, a CYP2D6 inhibitor": a drug's role towards a gene
_ROLE = (r"(?:(?P<neg>inhibitors?|antagonists?|blockers?)|(?P<pos>agonists?|activators?|inducers?)|"
         r"(?P<assoc>substrates?|ligands?|modulators?))")
_ROLE_BETWEEN = re.compile(rf"\s*-?\s*{_ROLE}\s*,?\s*$", re.I)
_ROLE_AFTER = re.compile(rf"\s*-?\s*{_ROLE}\b", re.I)
_APPOSITION = re.compile(r"\s*,\s*(?:an?|the)\s+(?:(?:selective|potent|specific|known|novel|irreversible|reversible|"
                         r"competitive|dual|oral)\s+){0,2}$", re.I)
_LAST_AND = re.compile(r"^\s*(?:,\s*)?and\s+(?:the\s+)?$", re.I)
_AND_VERB = re.compile(r"\band\s+(?:\w+ly\s+)?$", re.I)
_AND = re.compile(r"^\s*(?:and|with|to|on|in)\s+(?:the\s+)?$", re.I)
# A gene named as a genetic variant: "X mutations", "X polymorphisms in Y", "polymorphisms of X ... Y"
_GENETIC_AFTER = re.compile(r"\s*\)?\s*(?:gene\s+)?(?:mutations?|variants?|polymorphisms?|snps?|alleles?|genotypes?|"
                            r"haplotypes?|deletions?)\b", re.I)
_GENETIC_BEFORE = re.compile(r"\b(?:mutations?|variants?|polymorphisms?|snps?|alleles?|genotypes?|deletions?)"
                             r"(?:\s+(?:analysis|screening|spectrum))?\s+(?:in|of|at)\s+(?:the\s+)?$", re.I)
# "increased expression of X in Y": a change of a gene's level in a disease
_LEVEL_OF = re.compile(r"\b(?:(?P<inc>increased|elevated|higher|high|enhanced|up-?regulated)\s+|"
                       r"(?P<dec>decreased|reduced|lower|low|diminished|down-?regulated)\s+)?"
                       r"(?:(?P<over>over-?expression)|expression|levels?|abundance)\s+(?:levels?\s+)?of\s+"
                       r"(?:the\s+)?$", re.I)
_IN_DISEASE = re.compile(r"^\s+in\s+(?:the\s+)?(?:(?:patients|subjects|tissues?|samples?|cases)\s+(?:with|of)\s+)?"
                         r"$", re.I)
# words that let a sentence without triggers still relate two mentions (genetic and level contexts)
_CONTEXT_WORD = re.compile(r"\b(?:mutation|variant|polymorphism|snp|allele|genotype|haplotype|deletion|expression|"
                           r"level|abundance|over-?expression|inhibitor|antagonist|blocker|agonist|activator|inducer|"
                           r"substrate|ligand|modulator|plus|combin|treat|co-?admin|therap|regimen|administration|"
                           r"supplement)", re.I)
_IN_WITH = re.compile(r"\b(?:in|with|as|for|of)\b", re.I)
# a list: "A, B and C", "A/B", "cancers, including colon cancer"
_COORD = re.compile(r"^(?:/[\w-]{1,4})?\s*(?:,\s*)?(?:(?:and|or|as well as|and/or|including|such as|especially|"
                    r"particularly)\s+)?(?:the\s+)?$|^\s*/\s*$", re.I)
_MEANS = re.compile(r"\b(?:through|via|by (?:activating|inducing|regulating|targeting)|"
                    r"in an? [\w-]+-dependent manner)\b", re.I)
_NEGATION = re.compile(r"\b(?:not|no|neither|nor|never|without|failed to|fails to|unable to)\b", re.I)
_HEDGE = re.compile(r"\b(?:may|might|could|possibl\w*|potential\w*|suggest\w*|putative|likely|hypothes\w*|"
                    r"appears? to|seems? to|whether|unclear)\b", re.I)
_CLAUSE_BREAK = re.compile(r";|\b(?:whereas|while|but|however|although|which|that)\b", re.I)
# A sentence that states an aim or a question asserts nothing: "we assessed whether", "to determine whether",
# "the aim of this study was to".
_AIM = re.compile(r"\bwhether\b|\b(?:aims?|purpose|objectives?|goals?)\s+(?:of\s+(?:this|the|our)\s+\w+\s+)?"
                  r"(?:was|were|is|are)\s+to\b|\bwe\s+(?:aimed|sought|set\s+out)\s+to\b")
MAX_GAP = 150
# The sentence-wide patterns without re.I, for lower-cased text (their literals are all lower case).
# A leading "(?=[a-z])" lets the regex engine skip non-letters fast (every alternative starts with one).
_LC = {p: re.compile(("(?=[a-z])" if p is _TRIGGER_RE else "") + p.pattern)
       for p in (_TRIGGER_RE, _OFF_BEFORE, _BETWEEN, _CLAUSE_BREAK, _NEGATION, _HEDGE, _MEANS, _CONTEXT_WORD)}


def _lower(s: str) -> str:
    """`s` lower-cased with its length kept (a character whose lower case is longer stays as it is)."""
    low = s.lower()
    return low if len(low) == len(s) else "".join(c if len(c.lower()) != 1 else c.lower() for c in s)


def _typed(polarity: int, kind: str) -> tuple[Trigger, str]:
    if kind == "bind":
        return BOUND, "Bind"
    if kind == "cotreat":
        return ASSOCIATED, "Cotreatment"
    if polarity > 0:
        return INCREASED, "Positive_Correlation"
    if polarity < 0:
        return DECREASED, "Negative_Correlation"
    return (INVOLVED if kind == "involved" else ASSOCIATED), "Association"


_ADVERSE = re.compile(r"associat|relat|link", re.I)
_GENETIC_CAUSE = re.compile(r"\bcaus|\brisk\b", re.I)


_ADVERB = re.compile(r"\b(?:(?P<pos>positively|directly)|(?P<neg>negatively|inversely))\s+$", re.I)
_LEVEL_BEFORE = re.compile(r"\b(?:(?P<inc>increased|elevated|higher|high|enhanced|up-?regulated|up-?regulation\s+of|"
                           r"over-?expression\s+of|over-?expressed)|(?P<dec>decreased|reduced|lower|low|diminished|"
                           r"down-?regulated|down-?regulation\s+of))\s+"
                           r"(?:(?:expression|levels?|risks?|incidence|rates?)\s+of\s+)?"
                           r"(?:(?:the|various|several|many|some|all)\s+)?$",
                           re.I)


def _adverb_sign(text: str, trigger_start: int) -> int:
    m = _ADVERB.search(text, max(0, trigger_start - 14), trigger_start)
    return 0 if m is None else 1 if m.group("pos") else -1


def _level_sign(text: str, m: Mention, s0: int) -> int:
    """+1 for "increased / upregulation of / high X", -1 for "decreased / low X", else 0."""
    lv = _LEVEL_BEFORE.search(text, max(s0, m.start - 30), m.start)
    return 0 if lv is None else 1 if lv.group("inc") else -1


def _biored_type(rtype: str, s_type: str, o_type: str, between: str) -> str:
    """BioRED's conventions for some pairs of entity types, which differ from the plain polarity:
    a chemical "associated with" / "related to" a disease is a drug-induced one (Positive_Correlation);
    two chemicals that "interact" are a Drug_Interaction;
    a gene that "causes" a disease, or raises its risk, does so through its variants (Association)."""
    pair = {s_type, o_type}
    if pair == {"chemical"} and rtype == "Bind":
        return "Drug_Interaction"  # two drugs "interact": BioRED's drug interaction, not binding
    if pair == {"chemical", "disease"} and rtype == "Association" and _ADVERSE.search(between):
        return "Positive_Correlation"
    if pair == {"gene", "disease"} and rtype == "Positive_Correlation" and _GENETIC_CAUSE.search(between):
        return "Association"
    return rtype
