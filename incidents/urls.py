from django.urls import path

from .views import cases, concerns, pupil_search, work

app_name = "incidents"

urlpatterns = [
    # Any member of staff: their own concerns.
    path("concerns/", concerns.own_report_list, name="own_report_list"),
    path("concerns/new/", concerns.concern_new, name="concern_new"),
    path("concerns/pupils/", pupil_search.concern_pupil_search, name="concern_pupil_search"),
    path("concerns/<int:pk>/", concerns.own_report, name="own_report"),
    path("concerns/<int:pk>/edit/", concerns.concern_edit, name="concern_edit"),
    path(
        "concerns/<int:pk>/people/<int:person_pk>/remove/", concerns.concern_person_remove, name="concern_person_remove"
    ),
    # The safeguarding team and overseers.
    path("cases/", cases.case_list, name="case_list"),
    path("cases/inbox/", cases.inbox, name="inbox"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/pupils/", pupil_search.case_pupil_search, name="case_pupil_search"),
    path("cases/pupils/<int:pk>/", cases.pupil_chronology, name="pupil_chronology"),
    path("cases/<int:pk>/review-meeting/", work.review_meeting, name="review_meeting"),
    path("cases/<int:pk>/owner/", work.owner_set, name="owner_set"),
    path("cases/<int:pk>/people/new/", work.person_add, name="person_add"),
    path("cases/<int:pk>/people/<int:person_pk>/remove/", work.person_remove, name="person_remove"),
    path("cases/<int:pk>/actions/new/", work.action_add, name="action_add"),
    path("cases/<int:pk>/actions/<int:action_pk>/", work.action_resolve, name="action_resolve"),
    path("cases/<int:pk>/category/", work.classify, name="classify"),
    path("cases/<int:pk>/notes/new/", work.note_add, name="note_add"),
    path("cases/<int:pk>/close/", work.case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", work.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/access/", work.case_restriction, name="case_restriction"),
]
