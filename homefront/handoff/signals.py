from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from homefront.handoff.models import DEFAULT_GO_BAG
from homefront.handoff.models import GoBagItem
from homefront.households.models import Household


@receiver(post_save, sender=Household)
def give_new_households_a_go_bag_list(
    sender: type[Household], instance: Household, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        GoBagItem.objects.bulk_create(
            GoBagItem(household=instance, name=name, position=index)
            for index, name in enumerate(DEFAULT_GO_BAG)
        )
