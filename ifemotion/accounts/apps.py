from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ifemotion.accounts"
    label = "accounts"
    verbose_name = "Accounts, access and audit"

    def ready(self) -> None:
        from ifemotion.accounts import notify, signals  # noqa: F401 - connects the receivers
