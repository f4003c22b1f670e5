"""Demo cases: a dozen across the two demo schools, in every workflow state. Safe to run twice.

Each case is built step by step through the services, as the school's people would build it, so every history
row and chronology line names a person and every rule is checked. Dates given to the services are spread over
the last few weeks; the steps the services stamp themselves (submitting, each change of state, closing) carry
the time the demo was seeded.

The writing follows domain.md §7: calm and plain, the child never blamed, the child's words kept verbatim and
apart from the adult's observations, imagery described in words only.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from incidents import services as cases
from incidents.models import CRITERIA, QUESTIONS, Incident
from safeguard.calendar import add_school_days
from safeguard.demo import DEMO_PASSWORD, SCHOOLS
from safeguard.models import Membership, Pupil, School
from safeguard.roles import Role

from . import services as referrals
from .models import ANNEX_A

NO_FLAGS = {"send": False, "looked_after": False, "known_to_social_care": False, "previously_abused": False}


# --- Who does what, and when ----------------------------------------------------------------------------------


@dataclass
class Cast:
    """A demo school's people, and the pupils already given a part, so no child is in two unrelated cases."""

    school: School
    dsl: object
    deputy: object
    head: object
    staff1: object
    staff2: object
    used: set = field(default_factory=set)

    def pupil(self, year, sex, **flags):
        """The first pupil on the register in `year` of `sex`, with `flags` (by default, none) not yet used."""
        found = (
            Pupil.objects.filter(school=self.school, year_group=year, sex=sex, date_left__isnull=True)
            .filter(**(flags or NO_FLAGS))
            .exclude(pk__in=self.used)
            .order_by("upn")
            .first()
        )
        if found is None:
            raise LookupError(f"The demo register of {self.school} has no more pupils in year {year} ({sex}).")
        self.used.add(found.pk)
        return found


def _member(school, role, username):
    """The demo person holding `role` in `school` (usernames as safeguard.demo makes them)."""
    return (
        Membership.objects.active().select_related("user").get(school=school, role=role, user__username=username).user
    )


def _cast(school, key):
    return Cast(
        school=school,
        dsl=_member(school, Role.DSL, f"{key}.dsl"),
        deputy=_member(school, Role.DEPUTY_DSL, f"{key}.deputy"),
        head=_member(school, Role.HEADTEACHER, f"{key}.head"),
        staff1=_member(school, Role.STAFF, f"{key}.staff1"),
        staff2=_member(school, Role.STAFF, f"{key}.staff2"),
    )


def _school_day(days):
    """The school day `days` school days from today (back if negative). Both demo schools keep the same English
    terms (safeguard.demo seeds them), so the first one's calendar serves."""
    return add_school_days(School.objects.get(urn=SCHOOLS[0][2]), timezone.localdate(), days)


def _ago(days, hour, minute=0):
    """`days` school days ago (at least one, so never in the future) at `hour`:`minute`, school time."""
    return timezone.make_aware(datetime.datetime.combine(_school_day(-days), datetime.time(hour, minute)))


def _age(pupil):
    return pupil.age_on(timezone.localdate())


# --- Steps shared by the cases --------------------------------------------------------------------------------


def _concern(reporter, cast, involved, *, submit=True, **details):
    """Log a concern as `reporter`; `involved` holds keyword dicts for involvement_add. Returns (case, involvements)."""
    case = cases.concern_draft_create(actor=reporter, school=cast.school, **details)
    people = [cases.involvement_add(actor=reporter, incident=case, **person) for person in involved]
    if submit:
        case = cases.concern_submit(actor=reporter, incident=case)
    return case, people


def _meeting(cast, case, held_at, *, yes=(), not_yet_known=(), notes=None):
    """The initial review meeting: every question and criterion 'no' unless named, with notes where given."""
    notes = notes or {}
    answers = {}
    for name, _ in QUESTIONS + CRITERIA:
        answers[name] = "yes" if name in yes else "not_yet_known" if name in not_yet_known else "no"
        answers[f"{name}_notes"] = notes.get(name, "")
    return cases.review_meeting_record(
        actor=cast.dsl,
        incident=case,
        held_at=held_at,
        attendees=[cast.dsl, cast.deputy],
        answers=answers,
    )


def _parents_told(cast, involvement, *, by, at, who, method="phone"):
    return referrals.parent_contact_record(
        actor=cast.dsl, involvement=involvement, told=True, told_at=at, told_by=by, contact_name=who, method=method
    )


def _action_done(cast, case, description, *, by, done_at, notes=""):
    action = cases.action_add(actor=cast.dsl, incident=case, description=description, owner=by)
    return cases.action_complete(actor=by, action=action, notes=notes, done_at=done_at)


def _action_open(cast, case, description, *, owner, due_in_days):
    return cases.action_add(
        actor=cast.dsl, incident=case, description=description, owner=owner, due_on=_school_day(due_in_days)
    )


def _manage_in_school(cast, case, *, reasons, plan, annex, sign_off_comment=None):
    """Record a decision to manage in school; the headteacher signs it off if `sign_off_comment` is given."""
    decision = referrals.decision_record(
        actor=cast.dsl,
        incident=case,
        kind="manage_in_school",
        reasons=reasons,
        plan=plan,
        annex_a=dict(zip((name for name, _ in ANNEX_A), annex, strict=True)),
    )
    if sign_off_comment is not None:
        referrals.decision_sign_off(
            actor=cast.head, decision=decision, outcome="signed_off", comment=sign_off_comment, password=DEMO_PASSWORD
        )
    return decision


def _refer(cast, case, *, reasons, **referral):
    """Record the decision to refer, then the referral itself."""
    referrals.decision_record(actor=cast.dsl, incident=case, kind="refer", reasons=reasons)
    return referrals.referral_make(actor=cast.dsl, incident=case, **referral)


def _close(cast, case, summary):
    return cases.case_close(actor=cast.dsl, incident=case, summary=summary, password=DEMO_PASSWORD)


# --- Riverside Academy (Years 7 to 11) ------------------------------------------------------------------------


def riverside_new_concern(cast):
    """Reported on the last school day, not yet reviewed: unkind edits of a Year 8 girl's photo in a year-group chat."""
    _concern(
        cast.staff1,
        cast,
        [{"pupil": cast.pupil("8", "F"), "part": "harmed"}],
        occurred_at=_ago(3, 19, 30),
        came_to_light_at=_ago(1, 8, 50),
        location="Online, in a Year 8 group chat; told to her form tutor at registration",
        how_came_to_light="told_by_child",
        categories=["conduct", "contact"],
        harm_kind="cyberbullying",
        childs_words=(
            "They made a new group without me and then someone added me just so I'd see what they were saying. "
            "Someone put my face on a picture of a pig. I don't want to come in tomorrow."
        ),
        observations=(
            "She showed me the group chat on her phone at registration. I read the messages but did not take copies. "
            "About fifteen Year 8 pupils are in the group. She was quiet and kept her coat on all morning. I told her "
            "she had done the right thing in telling me and that I would pass it to the safeguarding team today."
        ),
        imagery_description=(
            "Seen on her phone, not copied: her school photo edited onto a cartoon pig, posted in the group with "
            "laughing emojis. No nudity."
        ),
    )


def riverside_under_review(cast):
    """Reviewed, waiting for more information before a decision: a Year 9 girl's image shown to another boy."""
    girl, boy, friend = cast.pupil("9", "F"), cast.pupil("9", "M"), cast.pupil("9", "F")
    case, (harmed, caused, _) = _concern(
        cast.staff2,
        cast,
        [
            {"pupil": girl, "part": "harmed"},
            {
                "pupil": boy,
                "part": "caused_harm",
                "own_account": "I only showed my mate, I never sent it to anyone. I've deleted it now.",
            },
            {"pupil": friend, "part": "witness"},
        ],
        occurred_at=_ago(7, 12, 40),
        came_to_light_at=_ago(6, 13, 10),
        location="School canteen at lunchtime; told to a teaching assistant",
        how_came_to_light="told_by_friend",
        categories=["conduct"],
        harm_kind="nudes_sharing",
        childs_words=(
            "We were going out and he kept asking, so I sent one. It was just for him. Now his mate's seen it and "
            "I feel sick. I don't want my mum to know."
        ),
        observations=(
            "A Year 9 pupil told me at lunch that a boy was showing a photo of her friend on his phone. I found the "
            "girl in the library and she told me what is written above. I did not ask to see any image and none was "
            "shown to me. She was tearful and asked who would be told; I explained that I had to pass it on to keep "
            "her safe."
        ),
        imagery_description=(
            "Not seen by any member of staff. She says it is a photo of her in her underwear, sent by private "
            "message. Her friend says the boy showed it on his phone; it is not known whether it was sent on."
        ),
    )
    _meeting(
        cast,
        case,
        _ago(5, 9, 0),
        yes=["further_information_needed", "tell_parents"],
        not_yet_known=["shared_widely", "coercion_or_capacity"],
        notes={
            "further_information_needed": "Whether she felt pressured to send it, and whether it was sent on.",
            "shared_widely": "He says he only showed it; not yet confirmed.",
            "coercion_or_capacity": "She said he 'kept asking'. The deputy DSL will hear her account with her mother.",
            "tell_parents": "She was worried about her mother knowing; we agreed to call her mother with her present.",
        },
    )
    _parents_told(cast, harmed, by=cast.dsl, at=_ago(5, 11, 0), who="Mother")
    _parents_told(cast, caused, by=cast.deputy, at=_ago(5, 15, 30), who="Father")
    _action_done(
        cast,
        case,
        "Meet him with his head of year: delete the image from his phone and cloud back-up",
        by=cast.deputy,
        done_at=_ago(5, 14, 0),
        notes="He confirmed both. No image was viewed by staff.",
    )
    _action_open(
        cast, case, "Hear her account with her mother: was she pressured to send it?", owner=cast.deputy, due_in_days=2
    )


def riverside_sextortion(cast):
    """Referred to the police on 101 and followed up, no outcome yet: a Year 11 boy blackmailed for money."""
    boy = cast.pupil("11", "M")
    case, (harmed, _) = _concern(
        cast.staff1,
        cast,
        [
            {"pupil": boy, "part": "harmed"},
            {
                "other_name": "Unknown online account",
                "other_description": (
                    "Presented as a 16-year-old girl. The demand for money so soon suggests an adult, possibly an "
                    "organised group."
                ),
                "other_is_adult": True,
                "part": "caused_harm",
            },
        ],
        occurred_at=_ago(10, 21, 30),
        came_to_light_at=_ago(9, 8, 40),
        location="Online, on a social media app at home; told to his PE teacher before registration",
        how_came_to_light="told_by_child",
        categories=["contact", "commerce"],
        harm_kind="sextortion",
        childs_words=(
            "She said she was 16 and went to a school in Leeds. We were just talking for a couple of days. Then she "
            "sent me a picture and asked for one back. Straight after, a different message came saying pay £200 or "
            "they'd send it to everyone I follow, and my mum. I haven't paid. I haven't slept."
        ),
        observations=(
            "He came to find me before registration and was shaking. He showed me the messages on his phone; I read "
            "the demand but did not open any image. I told him he had done exactly the right thing in telling "
            "someone, that this is a crime committed against him, and not to pay or reply. I asked him not to delete "
            "the account or the messages, as the police may need them, and took him to the DSL straight away."
        ),
        imagery_description=(
            "Not seen by staff. He says he sent a nude image of himself. The demand message, seen on his phone, "
            "shows his profile picture and some of his followers' names; no nudity."
        ),
    )
    _meeting(
        cast,
        case,
        _ago(9, 10, 0),
        yes=["referral_needed", "tell_parents", "adult_involved", "coercion_or_capacity"],
        not_yet_known=["shared_widely"],
        notes={
            "immediate_risk": "He is with staff today and his mother is coming in. He said he is not thinking of "
            "harming himself; we will check each morning.",
            "shared_widely": "No sign yet that it has been sent on; the account threatened to.",
            "adult_involved": "Believed to be an adult posing as a girl of his age.",
            "coercion_or_capacity": "He is being blackmailed: sextortion.",
        },
    )
    _parents_told(cast, harmed, by=cast.dsl, at=_ago(9, 10, 45), who="Mother", method="in_person")
    referral = _refer(
        cast,
        case,
        reasons="He is being blackmailed by someone believed to be an adult. Two criteria are met.",
        agency="police_101",
        method="phone",
        made_at=_ago(9, 11, 15),
        reference_number="Log 0312",
        contact_name="101 call handler, number 4417",
        information_shared=(
            "What he told us, the account name, the demand and the times of the messages; his name, date of birth "
            "and address; that his mother has been told. Advice given: keep the account and messages, do not pay."
        ),
    )
    _action_done(
        cast,
        case,
        "Help him report the image with Report Remove (Childline and IWF)",
        by=cast.dsl,
        done_at=_ago(9, 12, 0),
        notes="Done with him and his mother in the DSL's office. No image was viewed by staff.",
    )
    referrals.referral_follow_up(
        actor=cast.dsl,
        referral=referral,
        method="phone",
        at=_ago(6, 9, 30),
        notes="Called 101 quoting log 0312: no officer allocated yet; the call handler said the team would call back.",
    )
    referrals.referral_escalate(
        actor=cast.dsl,
        referral=referral,
        at=_ago(4, 10, 0),
        to_whom="PC Sam Harris, safer schools officer",
        reason="No officer had contacted the family a week after the referral, and he is anxious about the threat.",
    )
    _action_open(
        cast,
        case,
        "Check in with him each morning until the police have been in touch",
        owner=cast.staff1,
        due_in_days=3,
    )


def riverside_social_care(cast):
    """Referred to children's social care; outcome recorded, case still open: a Year 9 girl groomed by an adult."""
    girl = cast.pupil("9", "F", known_to_social_care=True)
    case, (harmed, _) = _concern(
        cast.deputy,
        cast,
        [
            {"pupil": girl, "part": "harmed"},
            {
                "other_name": "Online contact known to her as 'Kai'",
                "other_description": "Says he is 19. Met her in a gaming voice chat; sends her phone credit.",
                "other_is_adult": True,
                "part": "caused_harm",
            },
        ],
        occurred_at=_ago(16, 12, 50),
        came_to_light_at=_ago(16, 13, 5),
        location="School library, on a school laptop at lunchtime",
        how_came_to_light="monitoring",
        categories=["contact", "commerce"],
        harm_kind="sexual_abuse_or_grooming",
        childs_words=(
            "He's not a stranger, I've been talking to him for ages. He's 19, he's nice to me, he buys me credit. "
            "He said not to tell anyone because people wouldn't understand. We're meeting on Saturday."
        ),
        observations=(
            "The monitoring alert showed messages typed on a school laptop arranging to meet on Saturday. I spoke to "
            "her calmly in my office with her form tutor present. She was not upset and said she wanted to keep "
            "talking to him. I read only what the alert showed. She has an allocated social worker."
        ),
        imagery_description="No images seen; the alert shows text only. She says he has asked for photos and she "
        "has not sent any.",
    )
    _meeting(
        cast,
        case,
        _ago(16, 14, 0),
        yes=[
            "immediate_risk",
            "referral_needed",
            "contact_other_setting",
            "adult_involved",
            "coercion_or_capacity",
            "vulnerable_pupil",
        ],
        notes={
            "immediate_risk": "A meeting with him is arranged for Saturday.",
            "contact_other_setting": "Her allocated social worker.",
            "tell_parents": "Not yet: she says her mother's partner knows him. Social care to advise.",
            "adult_involved": "He says he is 19.",
            "coercion_or_capacity": "Gifts, secrecy and a planned meeting: signs of grooming.",
            "vulnerable_pupil": "Known to children's social care.",
        },
    )
    referrals.parent_contact_record(
        actor=cast.dsl,
        involvement=harmed,
        told=False,
        reasons_not_told=(
            "She says her mother's partner knows the adult and has passed messages between them. Children's social "
            "care asked us not to contact home before their strategy discussion; her social worker will decide with "
            "the police who tells her mother, and when."
        ),
    )
    referral = _refer(
        cast,
        case,
        reasons="An adult is grooming a child known to social care, and a meeting is planned. Criteria met.",
        agency="social_care",
        method="phone",
        made_at=_ago(16, 14, 45),
        reference_number="MASH-2291",
        contact_name="Duty social worker, MASH",
        information_shared=(
            "The monitoring alert's text, what she told us, the planned meeting on Saturday, her allocated social "
            "worker's name, and our concern about her mother's partner."
        ),
    )
    referrals.referral_acknowledge(actor=cast.dsl, referral=referral, acknowledged_at=_ago(16, 16, 0))
    _action_done(
        cast,
        case,
        "Attend the strategy discussion",
        by=cast.dsl,
        done_at=_ago(14, 10, 0),
        notes="Attended by video call with police and her social worker.",
    )
    referrals.referral_record_outcome(
        actor=cast.dsl,
        referral=referral,
        outcome="section_47",
        outcome_at=_ago(14, 12, 0),
        notes="Section 47 enquiry after the strategy discussion; police are tracing the adult.",
    )
    _action_done(
        cast,
        case,
        "Agree a safety plan with her and her social worker",
        by=cast.deputy,
        done_at=_ago(12, 11, 0),
        notes="Who she can talk to in school, and what to do if he contacts her.",
    )
    cases.note_add(
        actor=cast.deputy,
        incident=case,
        text="Her social worker met her in school with me today. She is attending every day and using the safety plan.",
    )
    _action_open(cast, case, "Review the safety plan at the core group meeting", owner=cast.dsl, due_in_days=5)


def riverside_awaiting_sign_off(cast):
    """Decision to manage in school, waiting for the headteacher: images exchanged by two Year 11 pupils."""
    girl, boy = cast.pupil("11", "F"), cast.pupil("11", "M")
    case, (her, him) = _concern(
        cast.staff2,
        cast,
        [
            {
                "pupil": girl,
                "part": "harmed",
                "own_account": "We both sent one. It was our choice. I'm worried people will find out.",
            },
            {"pupil": boy, "part": "received"},
        ],
        occurred_at=_ago(5, 22, 0),
        came_to_light_at=_ago(4, 8, 15),
        location="Online, at home; his mother phoned the school",
        how_came_to_light="told_by_parent",
        categories=["conduct"],
        harm_kind="nudes_sharing",
        childs_words=(
            "It was only between us two. We've been together since Year 9. Nobody else has seen it, I wouldn't do "
            "that to her."
        ),
        observations=(
            "His mother phoned at 8.15 to say she had found a photo of his girlfriend on his phone. She had not sent "
            "it anywhere and had asked him to delete it. I spoke to him at break with his head of year; the words "
            "above are his. He was embarrassed and worried about his girlfriend. I have not seen the image."
        ),
        imagery_description=(
            "Not seen by staff. His mother described a topless photo of a Year 11 girl, sent by her in a private "
            "message. He says he sent one of himself to her."
        ),
    )
    _meeting(
        cast,
        case,
        _ago(3, 9, 30),
        yes=["tell_parents"],
        notes={"shared_widely": "Both say it went only between them; deleted from phones and cloud back-ups."},
    )
    _parents_told(cast, him, by=cast.dsl, at=_ago(3, 12, 0), who="Mother (who reported it)")
    _parents_told(cast, her, by=cast.dsl, at=_ago(3, 12, 30), who="Father")
    _action_done(
        cast,
        case,
        "Both pupils to delete the images, with their heads of year",
        by=cast.deputy,
        done_at=_ago(3, 14, 0),
        notes="Both confirmed deletion from phones and cloud back-ups.",
    )
    _manage_in_school(
        cast,
        case,
        reasons=(
            f"Both pupils are in Year 11 (aged {_age(girl)} and {_age(boy)}), in a relationship of over a year, "
            "and each shared an image with the other by "
            "choice. Nothing suggests pressure, an adult or further sharing; no criterion is met. Support in school "
            "meets their needs; a referral would be disproportionate."
        ),
        plan=(
            "Each pupil meets their head of year weekly for a month. Families confirm deletion in writing by Friday. "
            "A Year 11 lesson on consent and image sharing, naming no one."
        ),
        annex=(
            "Shared within a relationship between two Year 11 pupils; both say there was no pressure, and their "
            "accounts agree.",
            "No. Each image went only to the other pupil, with consent.",
            "No sign of it online. Both deleted the images from phones and cloud back-ups the same day.",
            f"She is {_age(girl)} and he is {_age(boy)}, both in Year 11; no significant age gap.",
            "No: each sent one image, to the other only.",
            "Yes. Both talked through the law and the risks, and know about Report Remove.",
            "None known for either pupil.",
            "None: both families have been told and are supportive.",
        ),
    )


def riverside_managed_in_school(cast):
    """Managed in school, signed off by the headteacher: an unwanted image sent to a Year 10 girl."""
    girl, boy = cast.pupil("10", "F"), cast.pupil("10", "M")
    case, (her, him) = _concern(
        cast.staff1,
        cast,
        [
            {"pupil": girl, "part": "harmed"},
            {
                "pupil": boy,
                "part": "caused_harm",
                "own_account": "I thought it was funny. I didn't think. I've deleted it, I won't do it again.",
            },
        ],
        occurred_at=_ago(15, 23, 50),
        came_to_light_at=_ago(14, 11, 20),
        location="Online, at home; told to her science teacher after a lesson",
        how_came_to_light="told_by_child",
        categories=["conduct", "contact"],
        harm_kind="nudes_sharing",
        childs_words=(
            "I didn't ask for it. He just sent it at like midnight. I blocked him but I keep thinking about it. "
            "I don't want him to get in massive trouble, I just want it to stop."
        ),
        observations=(
            "She told me quietly after a lesson and asked if she could speak to someone. She was calm but "
            "embarrassed. I did not ask to see her phone. She says the image disappeared after it was opened, and she "
            "did not save it."
        ),
        imagery_description=(
            "Not seen by staff. She describes a nude photo of a boy from the waist down, sent once by private "
            "message; it disappeared after it was opened."
        ),
    )
    _meeting(cast, case, _ago(13, 9, 0), yes=["tell_parents"])
    _parents_told(cast, her, by=cast.dsl, at=_ago(13, 12, 0), who="Mother")
    _parents_told(cast, him, by=cast.deputy, at=_ago(13, 12, 30), who="Father")
    _manage_in_school(
        cast,
        case,
        reasons=(
            f"Both pupils are in Year 10 (aged {_age(girl)} and {_age(boy)}). One image, sent once to one person "
            "without being asked for, not saved or sent on. "
            "No adult, no coercion, no vulnerability, nothing unusual for their age. Support for her, and clear "
            "boundaries and education for him within our behaviour and RSHE policies, are proportionate."
        ),
        plan=(
            "Her: check-ins with a trusted adult she chose. Him: a meeting with his head of year and father on "
            "consent and the law, and the school's sanction. Seating changed in their one shared class."
        ),
        annex=(
            "He says he sent it as a joke; she did not ask for it. No one pressured him to send it.",
            "No. It was sent to her only; she did not save or forward it.",
            "No sign of it online; it disappeared after opening, and he deleted the original and its back-up.",
            f"She is {_age(girl)} and he is {_age(boy)}, both in Year 10; no significant age gap.",
            "He says no, and no other pupil has come forward. We will act if anyone does.",
            "He does now: he understands it was harmful to her and against the law.",
            "None known for either pupil.",
            "None: both families were told and are supportive.",
        ),
        sign_off_comment="Signed off. Please ask her at half term whether she feels it is resolved.",
    )
    _action_done(
        cast,
        case,
        "Meet him and his father on consent and the law",
        by=cast.deputy,
        done_at=_ago(12, 15, 30),
        notes="He apologised through his head of year and accepted the sanction.",
    )
    _action_done(cast, case, "Change the seating in their shared class", by=cast.dsl, done_at=_ago(12, 9, 0))
    _action_open(cast, case, "Ask her at half term whether she feels it is resolved", owner=cast.staff1, due_in_days=10)


def riverside_closed_after_referral(cast):
    """Closed after a police referral with Outcome 21: a Year 10 girl's image posted in a group chat."""
    girl, boy, friend = cast.pupil("10", "F"), cast.pupil("10", "M"), cast.pupil("10", "F")
    case, (her, him, _) = _concern(
        cast.staff2,
        cast,
        [
            {"pupil": girl, "part": "harmed"},
            {
                "pupil": boy,
                "part": "caused_harm",
                "own_account": "I was angry, I wasn't thinking. I've deleted it.",
            },
            {"pupil": friend, "part": "witness"},
        ],
        occurred_at=_ago(28, 20, 0),
        came_to_light_at=_ago(27, 10, 45),
        location="Online, in a Year 10 group chat; told to a teaching assistant at break",
        how_came_to_light="told_by_child",
        categories=["conduct", "contact"],
        harm_kind="nudes_sharing",
        childs_words=(
            "He kept asking for weeks and said I would if I loved him, so in the end I sent one. When I finished "
            "with him he put it in the year chat. Everyone's seen it. I can't walk down the corridor."
        ),
        observations=(
            "Her friend brought her to me at break; she was crying and could not go back to lessons. I took her to "
            "the medical room and stayed with her until the DSL came. I did not look at her phone or the chat. She "
            "asked if she was in trouble; I told her she was not, and that she had done the right thing in telling us."
        ),
        imagery_description=(
            "Not seen by staff. She describes a photo of herself in her bra, sent to him privately. Pupils say it was "
            "posted in a Year 10 group chat of about 30 members."
        ),
    )
    _meeting(
        cast,
        case,
        _ago(27, 12, 0),
        yes=["referral_needed", "shared_widely", "tell_parents", "coercion_or_capacity"],
        notes={
            "immediate_risk": "She went home with her mother; daily check-ins agreed.",
            "shared_widely": "A group chat of about 30 Year 10 pupils on a messaging app.",
            "coercion_or_capacity": "She says he pressured her for weeks to send it.",
        },
    )
    _parents_told(cast, her, by=cast.dsl, at=_ago(27, 12, 30), who="Mother", method="in_person")
    _parents_told(cast, him, by=cast.deputy, at=_ago(27, 14, 0), who="Mother and father")
    referral = _refer(
        cast,
        case,
        reasons="She was pressured into sending the image, and it was then shared widely. A criterion is met.",
        agency="police_101",
        method="phone",
        made_at=_ago(27, 12, 45),
        reference_number="Log 0198",
        contact_name="101 call handler",
        information_shared="What she told us, the group chat's name and size, both pupils' details, parents told.",
    )
    _action_done(
        cast,
        case,
        "Help her report the image with Report Remove",
        by=cast.dsl,
        done_at=_ago(27, 15, 0),
        notes="Reported with her and her mother; the image was removed from the platform two days later.",
    )
    cases.action_record_not_taken(
        actor=cast.dsl,
        incident=case,
        description="Search the phones of the pupils in the group chat",
        reason=(
            "The police said they would deal with devices; a search would risk staff seeing the image; every member "
            "of the chat confirmed deletion with a parent."
        ),
    )
    referrals.referral_follow_up(
        actor=cast.dsl,
        referral=referral,
        method="phone",
        at=_ago(24, 9, 15),
        response_received=True,
        notes="PC Sam Harris, safer schools officer, is dealing and will visit the boy and his parents.",
    )
    referrals.referral_record_outcome(
        actor=cast.dsl,
        referral=referral,
        outcome="outcome_21",
        outcome_at=_ago(19, 11, 0),
        notes="Words of advice from the safer schools officer to the boy, with his parents present.",
    )
    _close(
        cast,
        case,
        "Referred to the police the same day because she was pressured into sending the image and it was then "
        "shared in a group chat. Police Outcome 21 for the boy, with advice from the safer schools officer. The "
        "image was removed through Report Remove and the chat's members confirmed deletion. She is supported by her "
        "form tutor and the school counsellor and says she feels safe in school.",
    )
    cases.addendum_add(
        actor=cast.dsl,
        incident=case,
        text="Her mother phoned to say she is doing well and has joined a club outside school. No further concerns.",
    )


def riverside_draft(cast):
    """A concern a member of staff has started and not yet submitted."""
    _concern(
        cast.staff2,
        cast,
        [{"pupil": cast.pupil("7", "M"), "part": "received"}],
        submit=False,
        came_to_light_at=_ago(1, 15, 20),
        categories=["content"],
        harm_kind="harmful_content",
        childs_words=(
            "There's a video going round of a fight at the bus station, someone got really hurt. I can't stop "
            "thinking about it."
        ),
    )


# --- Hillview Primary School (Years 3 to 6) -------------------------------------------------------------------


def hillview_new_concern(cast):
    """Reported two school days ago, not yet reviewed: a Year 4 girl frightened by a video at a relative's house."""
    _concern(
        cast.staff1,
        cast,
        [{"pupil": cast.pupil("4", "F"), "part": "harmed"}],
        occurred_at=_ago(4, 16, 0),
        came_to_light_at=_ago(2, 15, 20),
        location="At her cousin's house, on his phone; told to her class teacher at home time",
        how_came_to_light="told_by_child",
        categories=["content"],
        harm_kind="harmful_content",
        childs_words=(
            "My cousin showed me a video of a lady with a scary face and she says if you don't do what she says "
            "she'll come and get you. She said to do things to hurt yourself. I keep seeing her when I close my "
            "eyes. Can she see me through the tablet?"
        ),
        observations=(
            "She told me while waiting to be collected. She was tearful and held my hand. I told her the video is not "
            "real and cannot see her, and that she was right to tell me. I told her dad briefly that she had been "
            "upset by a video and that the safeguarding team may call. I have not seen the video."
        ),
        imagery_description=(
            "Not seen. She describes a video of a woman with a frightening, distorted face telling children to hurt "
            "themselves."
        ),
    )


def hillview_game_stranger(cast):
    """Referred to CEOP and acknowledged, waiting for the outcome: a stranger messaging a Year 6 girl in a game."""
    girl = cast.pupil("6", "F")
    case, (harmed, _) = _concern(
        cast.staff2,
        cast,
        [
            {"pupil": girl, "part": "harmed"},
            {
                "other_name": "Game player using the name 'BuilderBoy_12'",
                "other_description": "Says he is 12. Gave her in-game gems and asked to move to another app.",
                "other_is_adult": True,
                "part": "caused_harm",
            },
        ],
        occurred_at=_ago(8, 18, 30),
        came_to_light_at=_ago(7, 8, 40),
        location="Online, in a building game on the family tablet; her mother told her class teacher",
        how_came_to_light="told_by_parent",
        categories=["contact"],
        harm_kind="sexual_abuse_or_grooming",
        childs_words=(
            "He said he was 12 and he was really good at building. He gave me loads of gems. Then he said we should "
            "talk on a different app where it's just us, and he wanted a picture of me in my PE kit. I said no and "
            "told Mum."
        ),
        observations=(
            "Her mother came to the classroom door at 8.40 and asked to speak privately. She showed me the game chat "
            "on the family tablet; I read messages asking for a photo and her address. No picture was sent. Her "
            "mother has kept the tablet as it is. The child was calm and proud she had told; I told her she did "
            "exactly the right thing."
        ),
        imagery_description="No image was sent or seen. The messages are text only.",
    )
    _meeting(
        cast,
        case,
        _ago(7, 10, 30),
        yes=["referral_needed", "tell_parents", "adult_involved", "coercion_or_capacity"],
        notes={
            "adult_involved": "The gifts, the secrecy and the requests fit an adult posing as a child.",
            "coercion_or_capacity": "Gifts and a move to a private app: signs of grooming.",
            "tell_parents": "Her mother reported it.",
        },
    )
    _parents_told(cast, harmed, by=cast.dsl, at=_ago(7, 11, 0), who="Mother", method="in_person")
    referral = _refer(
        cast,
        case,
        reasons=f"An adult posing as a child asked a {_age(girl)}-year-old for a photo and her address. Criteria met.",
        agency="ceop",
        method="online_form",
        made_at=_ago(7, 11, 30),
        reference_number="CEOP-48213",
        information_shared="The player's name, the messages as her mother showed them, her age and the school.",
    )
    referrals.referral_acknowledge(
        actor=cast.dsl, referral=referral, acknowledged_at=_ago(6, 9, 0), notes="Acknowledged by email."
    )
    referrals.referral_follow_up(
        actor=cast.dsl,
        referral=referral,
        method="email",
        at=_ago(3, 9, 45),
        response_received=True,
        notes="CEOP say the report is with the local police online child safety team; they will contact us.",
    )
    _action_done(
        cast,
        case,
        "Report the player's account to the game's safety team",
        by=cast.dsl,
        done_at=_ago(7, 12, 0),
        notes="Reported with her mother; the account has been suspended.",
    )
    _action_open(
        cast,
        case,
        "Year 6 online safety session on private chats and gifts, naming no one",
        owner=cast.deputy,
        due_in_days=14,
    )


def hillview_under_review(cast):
    """Reviewed, waiting to hear from the other children: a Year 5 boy left out and called names in a game chat."""
    harmed_boy = cast.pupil("5", "M")
    others = [cast.pupil("5", "M"), cast.pupil("5", "M")]
    case, (harmed, *_) = _concern(
        cast.staff1,
        cast,
        [{"pupil": harmed_boy, "part": "harmed"}] + [{"pupil": p, "part": "caused_harm"} for p in others],
        occurred_at=_ago(5, 19, 0),
        came_to_light_at=_ago(4, 8, 45),
        location="Online, in a game's team chat in the evenings; his mother came to the office",
        how_came_to_light="told_by_parent",
        categories=["conduct", "contact"],
        harm_kind="cyberbullying",
        childs_words=(
            "They made a team without me and when I tried to join they said fat people can't play and left. They do "
            "it every night. At school they pretend nothing happened."
        ),
        observations=(
            "His mother brought screenshots of the game chat on her phone; I read them. They are unkind comments "
            "about his weight, sent in the evenings. He told me the words above at break and was close to tears. He "
            "asked me not to tell the others that he had told."
        ),
        imagery_description="Screenshots of text messages only, seen on his mother's phone. No images of children.",
    )
    _meeting(
        cast,
        case,
        _ago(3, 9, 0),
        yes=["further_information_needed", "tell_parents"],
        notes={
            "further_information_needed": "Speak to the two other boys, each with a member of staff, and tell their "
            "parents.",
            "tell_parents": "His mother reported it; the other boys' parents to be told once they have been heard.",
        },
    )
    _parents_told(cast, harmed, by=cast.dsl, at=_ago(3, 15, 15), who="Mother", method="in_person")
    _action_done(
        cast,
        case,
        "Hear each of the two other boys, with a member of staff",
        by=cast.deputy,
        done_at=_ago(2, 11, 0),
        notes="Both said the messages were meant as jokes; both were upset to hear how he felt.",
    )


def hillview_closed_managed(cast):
    """Closed after being managed in school: a Year 3 boy saw a violent cartoon on a class tablet."""
    boy = cast.pupil("3", "M")
    case, (him,) = _concern(
        cast.staff2,
        cast,
        [{"pupil": boy, "part": "harmed"}],
        occurred_at=_ago(22, 12, 30),
        came_to_light_at=_ago(22, 12, 35),
        location="Year 3 classroom, on a class tablet during wet play",
        how_came_to_light="seen_by_staff",
        categories=["content"],
        harm_kind="harmful_content",
        childs_words=(
            "It was a cartoon but then they got hurt and there was blood everywhere. I didn't choose it, it just came "
            "on by itself after the other one."
        ),
        observations=(
            "During wet play I saw him put the tablet face down and move away from it. He told me the words above. I "
            "switched the tablet off. He was quiet for the rest of the afternoon but was playing with friends by home "
            "time."
        ),
        imagery_description=(
            "Seen briefly when I picked up the tablet: a cartoon showing characters being hurt, with blood. No real "
            "people. I did not watch it."
        ),
    )
    _meeting(
        cast,
        case,
        _ago(21, 9, 0),
        yes=["tell_parents"],
        notes={"contact_other_setting": "No. Our IT provider is to close the filtering gap."},
    )
    _parents_told(cast, him, by=cast.dsl, at=_ago(22, 15, 30), who="Mother and father", method="in_person")
    _manage_in_school(
        cast,
        case,
        reasons=(
            "He saw a violent cartoon by accident on a school tablet because our filtering let it through. He was "
            "upset but is settled; no other child or adult is involved and no criterion is met."
        ),
        plan=(
            "Class teacher checks in with him daily for a week. IT blocks the channel and checks every class tablet. "
            "Tablets used in wet play only with an adult at the table. Parents given advice on settings at home."
        ),
        annex=(
            "No image of a pupil was made or shared: a video from a public channel played automatically.",
            "Not applicable: no pupil's image is involved.",
            "It is on a public video site. Reported to the platform; blocked by our filtering.",
            f"He is {_age(boy)}, in Year 3. No other pupil was involved.",
            "Not applicable: nothing was sent. No other child saw it, as far as we know.",
            "He knows it was not his fault, and to turn the tablet over and tell an adult, as he did.",
            "None known.",
            "None: his parents were told the same day and were supportive.",
        ),
        sign_off_comment="Signed off. Thank you for closing the filtering gap so quickly.",
    )
    _action_done(
        cast,
        case,
        "Block the channel in school filtering and check every class tablet",
        by=cast.deputy,
        done_at=_ago(20, 16, 0),
        notes="Done by our IT provider; autoplay turned off on all tablets.",
    )
    _action_done(
        cast, case, "Report the video to the platform", by=cast.dsl, done_at=_ago(21, 10, 0), notes="Reported."
    )
    cases.action_record_not_taken(
        actor=cast.dsl,
        incident=case,
        description="Stop using tablets in wet play for the rest of term",
        reason="Not needed now the gap is closed and an adult sits with the tablets; it would penalise the children.",
    )
    _close(
        cast,
        case,
        "An accidental view of a violent cartoon on a school tablet. Managed in school and signed off by the "
        "headteacher. The channel is blocked, the platform told, the class tablets checked and his parents told. He "
        "is settled and his teacher has no further concerns.",
    )


CASES = {
    "riverside": [
        riverside_closed_after_referral,
        riverside_social_care,
        riverside_managed_in_school,
        riverside_sextortion,
        riverside_under_review,
        riverside_awaiting_sign_off,
        riverside_new_concern,
        riverside_draft,
    ],
    "hillview": [
        hillview_closed_managed,
        hillview_game_stranger,
        hillview_under_review,
        hillview_new_concern,
    ],
}


# --- Seeding --------------------------------------------------------------------------------------------------


def seed_cases():
    """Add the demo cases to each demo school that has no case yet. Returns how many cases were added."""
    added = 0
    for key, _name, urn, _years in SCHOOLS:
        school = School.objects.filter(urn=urn).first()
        if school is not None and not Incident.objects.filter(school=school).exists():
            added += _seed_school(school, key)
    return added


@transaction.atomic
def _seed_school(school, key):
    # One transaction per school: a school is either fully seeded or untouched, so a rerun never skips half a set.
    cast = _cast(school, key)
    for build in CASES[key]:
        build(cast)
    return len(CASES[key])
