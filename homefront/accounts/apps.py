from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homefront.accounts"
    label = "accounts"
