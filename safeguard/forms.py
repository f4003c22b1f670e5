from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from .demo import DEMO_PASSWORD
from .models import Nation
from .roles import STAFFING_ROLES, Role
from .uploads import refuse_imagery

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    """The browser's own date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class LiveSignIn:
    """What every sign-in form checks first, the site's and the admin's alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length without its validator: an overlong name would reach the lockout's
        # record of attempts, which refuses it. Refused here, it is an ordinary wrong sign-in.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))

    def clean(self):
        # The demo password is public: a live system (DEBUG off) refuses it even if an account still has it.
        if not settings.DEBUG and self.cleaned_data.get("password") == DEMO_PASSWORD:
            raise forms.ValidationError(
                "Demo passwords cannot be used on a live system. Ask your administrator to reset your password.",
                code="demo_password",
            )
        return super().clean()


class SignInForm(LiveSignIn, AuthenticationForm):
    """The site's sign-in."""


class AdminSignInForm(LiveSignIn, AdminAuthenticationForm):
    """The admin's sign-in (staff accounts only)."""


class PupilImportForm(forms.Form):
    file = forms.FileField(
        label="Register file (CSV)",
        help_text="A CSV export from your MIS with the columns listed below. Nothing is imported unless every row "
        "is correct.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refuse_imagery(upload)  # first, before anything reads the file
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB. Split it, or export only current pupils.")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a CSV file (its name ends in .csv).")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text. Save it again as 'CSV UTF-8'.") from None


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Enter the six digits shown in your app.")
        return token


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Asked again before an authenticator app is linked to your account.",
    )


class PupilSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or UPN", required=False, max_length=100)


# --- The school's calendar ---------------------------------------------------------------------------------------


class NationForm(forms.Form):
    nation = forms.ChoiceField(
        label="Bank holidays of",
        choices=Nation.choices,
        widget=forms.RadioSelect,
        help_text="The working-day clocks, such as a referral's acknowledgement, skip this nation's bank holidays.",
    )


class TermForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60, help_text="For example, Autumn 1.")
    starts_on = forms.DateField(label="First day", widget=DateInput())
    ends_on = forms.DateField(label="Last day", widget=DateInput())


class InsetDayForm(forms.Form):
    day = forms.DateField(label="Date", widget=DateInput())
    description = forms.CharField(
        label="What it is for", max_length=200, required=False, help_text="For example, safeguarding training."
    )


# --- The school's people ----------------------------------------------------------------------------------------


def _reason_field(help_text):
    return forms.CharField(label="Why", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text)


def _role_field(label="Role"):
    return forms.ChoiceField(
        label=label, choices=[(r.value, r.label) for r in STAFFING_ROLES], widget=forms.RadioSelect
    )


class PersonAddForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email. Someone new gets an email with a link to choose their password.",
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    role = _role_field()
    ends_on = forms.DateField(
        label="Last day",
        required=False,
        widget=DateInput(),
        help_text="Only for a role that ends on a known day, such as cover for a term.",
    )
    reason = _reason_field("Kept in the history. For example, new deputy DSL from September.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].requirement_note = "needed for someone new"


class RoleChangeForm(forms.Form):
    role = _role_field("New role")
    reason = _reason_field("Kept in the history. The old role ends today and the new one starts.")


class LastDayForm(forms.Form):
    ends_on = forms.DateField(label="Last day", widget=DateInput(), help_text="Their access ends after this day.")
    reason = _reason_field("Kept in the history. For example, leaving at the end of term.")


class EndNowForm(forms.Form):
    reason = _reason_field("Kept in the history. Their access ends at once.")


class AlsoDslForm(forms.Form):
    reason = _reason_field(f"Kept in the history. For example, the head is also the {Role.DSL.label.lower()}.")
