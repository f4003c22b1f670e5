from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .forms import SignInForm
from .views import account, audit, dashboard, health, people, pupils, school_calendar, schools

handler403 = "safeguard.views.errors.permission_denied"
handler404 = "safeguard.views.errors.not_found"
handler500 = "safeguard.views.errors.server_error"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("school/switch/", schools.school_switch, name="school_switch"),
    path("pupils/", pupils.pupil_list, name="pupil_list"),
    path("pupils/import/", pupils.pupil_import, name="pupil_import"),
    path("pupils/<int:pk>/", pupils.pupil_detail, name="pupil_detail"),
    path("trail/<slug:kind>/<int:pk>/", audit.record_trail, name="record_trail"),
    path("school/calendar/", school_calendar.school_calendar, name="school_calendar"),
    path("school/calendar/bank-holidays/", school_calendar.school_nation, name="school_nation"),
    path("school/calendar/terms/new/", school_calendar.term_add, name="term_add"),
    path("school/calendar/terms/<int:pk>/withdraw/", school_calendar.term_withdraw, name="term_withdraw"),
    path("school/calendar/inset-days/new/", school_calendar.inset_day_add, name="inset_day_add"),
    path(
        "school/calendar/inset-days/<int:pk>/withdraw/", school_calendar.inset_day_withdraw, name="inset_day_withdraw"
    ),
    path("school/people/", people.people, name="people"),
    path("school/people/add/", people.person_add, name="person_add"),
    path("school/people/<int:pk>/", people.membership_detail, name="membership_detail"),
    path("school/people/<int:pk>/role/", people.membership_role, name="membership_role"),
    path("school/people/<int:pk>/last-day/", people.membership_last_day, name="membership_last_day"),
    path("school/people/<int:pk>/end/", people.membership_end, name="membership_end"),
    path("school/people/<int:pk>/also-dsl/", people.membership_also_dsl, name="membership_also_dsl"),
    path("school/people/<int:pk>/invite-again/", people.membership_invite_again, name="membership_invite_again"),
    path("account/sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("account/two-factor/start/", account.two_factor_start, name="two_factor_start"),
    path("account/two-factor/link/<str:token>/", account.two_factor_link, name="two_factor_link"),
    path("account/two-factor/qr.svg", account.two_factor_qr, name="two_factor_qr"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("account/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "account/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("health/", health.health, name="health"),
    path("", include("incidents.urls")),
    path("", include("referrals.urls")),
    path("", include("records.urls")),
    path("admin/", admin.site.urls),
]
