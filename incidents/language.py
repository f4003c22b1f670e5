"""A gentle prompt when a record uses words that blame a child or misname abuse (domain.md §7; seed 001).

The child is never to blame; responsibility lies with the person who abused them. The prompt never changes what
anyone wrote, and never looks at the child's own words, which are kept verbatim.
"""

import re
from dataclasses import dataclass

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
        r"\bshould(n['’]t| not) have (sent|shared|taken)\b",
        "Describe what happened without judging the child: responsibility lies with whoever pressured, exploited "
        "or shared without consent.",
    ),
    (
        r"\bput (him|her|them)sel(f|ves) at risk\b",
        "Describe the risk and who created it, not the child's part in it.",
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
