"""Where the apps above the core add to its pages: navigation links and panels on a page.

Dependencies point one way (records → referrals → incidents → safeguard), so the core never imports a case app.
A higher app registers what it adds from its AppConfig.ready(); the lower page asks for what is registered.
Registering the same thing twice has no further effect, so ready() may run more than once.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.template.loader import render_to_string


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    capability: str  # a policy capability; the link shows only to roles that carry it
    order: int


@dataclass(frozen=True)
class Panel:
    template: str
    context: object  # context(request, **page_context) -> dict, or None to show nothing
    order: int


_nav = {}
_panels = {}  # slot -> {template: Panel}
_trails = {}  # kind in the URL -> lookup(user, school, pk), 404 for missing or not theirs
_person_marks = {}  # name -> marks(school): {user id: label} in one query


def register_nav(*, url_name, label, capability, order):
    """Add a link to the main navigation for the roles that carry `capability`."""
    _nav[url_name] = NavItem(url_name, label, capability, order)


def nav_items():
    return sorted(_nav.values(), key=lambda item: item.order)


def register_panel(slot, *, template, context, order):
    """Show `template` on the pages that render `slot`, with the dict `context(request, **page_context)` returns."""
    _panels.setdefault(slot, {})[template] = Panel(template, context, order)


def render_panels(slot, request, **page_context):
    """The HTML of every panel registered for `slot` that has something to show, in order."""
    html = []
    for panel in sorted(_panels.get(slot, {}).values(), key=lambda p: p.order):
        context = panel.context(request, **page_context)
        if context is not None:
            html.append(render_to_string(panel.template, {**page_context, **context}, request=request))
    return html


def register_trail(kind, lookup):
    """Let the history-and-access-log page open records of `kind`, found through the scoped `lookup`."""
    _trails[kind] = lookup


def trail_lookup(kind):
    return _trails.get(kind)


def register_person_marks(name, marks):
    """Add a label beside people on the school's people page: `marks(school)` returns {user id: label}."""
    _person_marks[name] = marks


def person_marks(school):
    """{user id: [label, ...]} from every registered source."""
    found = {}
    for marks in _person_marks.values():
        for user_id, label in marks(school).items():
            found.setdefault(user_id, []).append(label)
    return found


_hidden_pupils = {}  # name -> ids(): a subquery of the ids of pupils no list may show


def register_hidden_pupils(name, ids):
    """Hide pupils from every pupil list and lookup: `ids()` returns a subquery of their ids (records: the pupils
    whose child protection file was disposed of)."""
    _hidden_pupils[name] = ids


def pupils_shown():
    """A filter on Pupil that leaves out every hidden pupil (Q() when nothing hides any)."""
    shown = Q()
    for ids in _hidden_pupils.values():
        shown &= ~Q(pk__in=ids())
    return shown


@dataclass(frozen=True)
class TimelineEntry:
    """A dated entry about a pupil from outside their cases (records: a file received from their previous school, a
    transfer of their file), shown in the pupil's chronology among their cases' entries, in time order."""

    at: object  # an aware datetime
    heading: str  # what happened, e.g. "File received from Hill Top Primary"
    text: str
    author: object  # the person who recorded it (a user), or None
    record: object  # the row it comes from, for the access log


_pupil_timelines = {}  # name -> entries(user, school, pupil): TimelineEntry rows the user may see, in fixed queries


def register_pupil_timeline(name, entries):
    """Add entries to every pupil chronology (the page and the pupil file report): `entries(user, school, pupil)`
    returns those the user may see, read in a fixed number of queries."""
    _pupil_timelines[name] = entries


def pupil_timeline(user, school, pupil):
    """Every registered source's entries about `pupil` that `user` may see, oldest first."""
    found = [entry for entries in _pupil_timelines.values() for entry in entries(user, school, pupil)]
    return sorted(found, key=lambda entry: entry.at)


@dataclass(frozen=True)
class CaseGrants:
    role: str
    grants: object  # grants(user) -> the rows in force now, each with a `school` key (a queryset)
    case_ids: object  # case_ids(user) -> a subquery of the ids of the cases those rows open


_case_grants = {}  # name -> CaseGrants


def register_case_grants(name, *, role, grants, case_ids):
    """Let a higher app give people particular cases for a time (records: an inspector's grant).

    While `grants(user)` has a row in force, `user` holds `role` in that row's school (read with their memberships,
    in the same query), and `case_ids(user)` are among the cases that role lets them open. Both are read afresh on
    every request, so a row that ends or is revoked counts as none from that moment.
    """
    _case_grants[name] = CaseGrants(role, grants, case_ids)


def case_grant_sources():
    return list(_case_grants.values())


def granted_cases(user, roles):
    """A filter on Incident for the cases granted to `user` through the roles they hold (Q() when none)."""
    granted = Q()
    for source in _case_grants.values():
        if source.role in roles:
            granted |= Q(pk__in=source.case_ids(user))
    return granted
