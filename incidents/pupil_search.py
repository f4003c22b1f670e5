"""Finding a pupil by a few letters of their name, among the pupils a page may offer.

The selectors (incidents.selectors.pupil_finder_*) decide which pupils those are and whether their dates of birth
may be shown; this module only searches them and describes each one found. Schools have up to ~1,500 pupils,
so a search is one query for at most MOST_SHOWN + 1 rows, whatever the size of the register.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.dateformat import format as format_date

MIN_LETTERS = 2  # one letter matches a large part of the register: no help in telling pupils apart
MOST_SHOWN = 20
MOST_WORDS = 4  # "Mary Ann de Souza"; more words than that add nothing but conditions to the query
# A first and a last name at their longest (safeguard.models.Pupil): longer text matches no one, so it is not asked
# of the database, where SQLite refuses a pattern over 50,000 characters and PostgreSQL would compare it all.
MOST_LETTERS = 201
DATE_FORMAT = "j M Y"  # as the pupil register shows dates


@dataclass(frozen=True)
class PupilMatch:
    """A pupil as a picker shows them: enough to tell two pupils of the same name apart, and no more."""

    pk: int
    first_name: str
    last_name: str
    year_group: str
    date_of_birth: datetime.date | None  # None unless the reader may see it
    date_left: datetime.date | None

    @property
    def label(self):
        details = [self.year_group]
        if self.date_of_birth:
            details.append(f"born {format_date(self.date_of_birth, DATE_FORMAT)}")
        if self.date_left:
            details.append(f"left {format_date(self.date_left, DATE_FORMAT)}")
        return f"{self.last_name}, {self.first_name} ({', '.join(details)})"

    def __str__(self):
        return self.label


@dataclass(frozen=True)
class PupilSearch:
    """What a search found: at most MOST_SHOWN pupils, and whether more matched (then more letters are needed)."""

    text: str
    matches: tuple[PupilMatch, ...] = ()
    more: bool = False

    @property
    def too_short(self):
        return len(self.text.replace(" ", "")) < MIN_LETTERS


def _name_starts(words):
    """Pupils whose first or last name starts with the words, or whose first name starts with some of the words
    and last name with the rest (in either order: people type "Sam Lee" and "Lee Sam")."""
    whole = " ".join(words)
    found = Q(first_name__istartswith=whole) | Q(last_name__istartswith=whole)
    for split in range(1, len(words)):
        one, two = " ".join(words[:split]), " ".join(words[split:])
        found |= Q(first_name__istartswith=one, last_name__istartswith=two)
        found |= Q(last_name__istartswith=one, first_name__istartswith=two)
    return found


@dataclass(frozen=True)
class PupilFinder:
    """The pupils one page may offer (already scoped to the reader), and whether it may show their dates of birth."""

    pupils: QuerySet
    with_birth_date: bool

    def describe(self, pupil):
        return PupilMatch(
            pk=pupil.pk,
            first_name=pupil.first_name,
            last_name=pupil.last_name,
            year_group=pupil.get_year_group_display(),
            date_of_birth=pupil.date_of_birth if self.with_birth_date else None,
            date_left=pupil.date_left,
        )

    def matching(self, words):
        """The pupils whose names start with `words`, by last name then first name."""
        return self.pupils.filter(_name_starts(words)).order_by("last_name", "first_name", "pk")

    def search(self, text):
        """The first MOST_SHOWN pupils whose names start with `text`; none for fewer than MIN_LETTERS letters."""
        # No name holds a null byte (forms refuse them) and PostgreSQL cannot compare one: it parts words, as a space.
        words = text.replace("\x00", " ").split()[:MOST_WORDS]
        search = PupilSearch(text=" ".join(words))
        if search.too_short or len(search.text) > MOST_LETTERS:
            return search
        fields = ["pk", "first_name", "last_name", "year_group", "date_left"]
        if self.with_birth_date:
            fields.append("date_of_birth")
        found = list(self.matching(words).only(*fields)[: MOST_SHOWN + 1])
        return PupilSearch(
            text=search.text,
            matches=tuple(self.describe(p) for p in found[:MOST_SHOWN]),
            more=len(found) > MOST_SHOWN,
        )
