from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ifemotion.accounts"
    label = "accounts"
    verbose_name = "Accounts, access and audit"
