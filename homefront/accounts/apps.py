from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homefront.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Every process forgets the cached signed-in users a change touches, the worker
        # and commands too, not only those that have loaded the authentication backend.
        from homefront.accounts import backends  # noqa: F401
