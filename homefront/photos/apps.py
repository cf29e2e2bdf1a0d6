from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "homefront.photos"
    label = "photos"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from homefront.households.models import Child
        from homefront.photos.cleanup import remove_photos_of_only_this_child

        pre_delete.connect(
            remove_photos_of_only_this_child, sender=Child, dispatch_uid="photos_of_a_child"
        )
