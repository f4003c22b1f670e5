"""A gentle prompt when a record uses words that blame a child or misname abuse (domain.md §7; seed 001).

The child is never to blame; responsibility lies with the person who abused them. The prompt never changes what
anyone wrote, and never looks at the child's own words, which are kept verbatim.
"""

import re
from dataclasses import dataclass

_SENT = r"(sent|send|shared|share|taken|took|posted|made|filmed|recorded)"
_PUT = r"(put|puts|putting|place|places|placed|placing)"
_SELF = r"(him|her|them|your)sel(f|ves)"
_OWN_SAFETY = r"(his|her|their|your)\s+own\s+(safety|life|wellbeing|welfare)"
_AT_RISK = r"(at\s+(\w+\s+)?risk|in\s+(\w+\s+)?danger|in\s+harm['’]s\s+way)\b"

# (pattern, suggestion). Patterns are matched without regard to case.
PHRASES = [
    (
        r"\bchild porn(ography)?\b",
        "Say “child sexual abuse material” or “indecent images of children”: the guidance and the law do, because "
        "the words name the abuse.",
    ),
    (
        r"\brevenge porn\b",
        "Say “image-based sexual abuse” or “sharing intimate images without consent”.",
    ),
    (
        # "should not / never have sent", "shouldn't have shared", "ought not to have taken"
        rf"\b(should|ought)(n['’]t|\s+not|\s+never)(\s+to)?\s+have\s+{_SENT}\b",
        "Describe what happened without judging the child: responsibility lies with whoever pressured, exploited "
        "or shared without consent.",
    ),
    (
        # "put herself at risk", "placed himself at serious risk", "placing themselves in danger", "put her own
        # safety at risk": a few words may come between, but the child must be the one said to cause it.
        rf"\b{_PUT}\s+({_SELF}|{_OWN_SAFETY})(\s+[\w’'-]+){{0,3}}?\s+{_AT_RISK}",
        "Describe the risk and who created it, not the child's part in it.",
    ),
    (
        rf"\b(make|makes|made|making)\s+{_SELF}\s+vulnerable\b",
        "Describe who took advantage of the child, not the child's part in it.",
    ),
    (
        r"\b(asked|was asking) for it\b",
        "A child is never to blame for abuse. Describe what happened and who did it.",
    ),
    (
        r"\bsexting\b",
        "Say “sharing nudes or semi-nudes”: the current guidance's words, which do not suggest the child chose harm.",
    ),
]
_COMPILED = [(re.compile(pattern, re.IGNORECASE), suggestion) for pattern, suggestion in PHRASES]


@dataclass(frozen=True)
class WordingPrompt:
    field_label: str
    words: str  # as the writer wrote them
    suggestion: str


def wording_prompts(texts):
    """Prompts for the phrases found in `texts`, a list of (field label, text)."""
    found = []
    for label, text in texts:
        for pattern, suggestion in _COMPILED:
            for match in pattern.finditer(text or ""):
                found.append(WordingPrompt(label, match.group(0), suggestion))
    return found
