from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.forms import UserCreationForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from homefront import i18n
from homefront.accounts.models import User
from homefront.core.tasks import send_email
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.forms import TimeZoneInput


class SignupForm(AccessibleErrorsMixin, UserCreationForm):
    class Meta:
        model = User
        fields = ["name", "email", "phone"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email exists already. Log in, or reset its password.")
            )
        return email


class LoginForm(AuthenticationForm):
    """Emails are stored in lower case; "Parent@Example.com" is the same account.

    Lower-casing here also gives the login throttle one counter per account,
    whatever the case of the attempts."""

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class AccountForm(AccessibleErrorsMixin, forms.ModelForm):
    # Each language named in its own words, so whoever reads only one finds it.
    language = forms.TypedChoiceField(
        label=_("Language"),
        choices=[("", _("My browser's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Your pages, emails and notifications."),
    )

    class Meta:
        model = User
        fields = ["name", "phone", "time_zone", "language", "quiet_from", "quiet_until"]
        widgets = {
            "time_zone": TimeZoneInput(),
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, quiet hours stay as they were.
        self.fields["quiet_from"].required = False
        self.fields["quiet_until"].required = False

    def clean_quiet_from(self) -> Any:
        return self.cleaned_data["quiet_from"] or self.instance.quiet_from

    def clean_quiet_until(self) -> Any:
        return self.cleaned_data["quiet_until"] or self.instance.quiet_until


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset email from the background worker, so a slow mail server
    never holds up the page."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        # In the account's own language (empty: the language the page was asked in).
        user = context.get("user")
        chosen = i18n.supported(getattr(user, "language", ""))
        with translation.override(chosen or translation.get_language()):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        send_email.enqueue(subject=subject, body=body, to=[to_email])
