"""The one form of the notifications: a person's channel choice (portal and workbench)."""

from django import forms


class ChannelPreferencesForm(forms.Form):
    email = forms.BooleanField(label="电子邮件", required=False)
    sms = forms.BooleanField(label="短信", required=False)
