from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify

from homefront.access import Action
from homefront.access import requires
from homefront.households.access import MemberRequest
from homefront.portability.household_file import dumps
from homefront.portability.household_file import export_household


@requires(Action.EXPORT)
def export(request: MemberRequest) -> HttpResponse:
    """The household's data as the same file `homefront export` writes."""
    household = request.household
    response = HttpResponse(
        dumps(export_household(household)), content_type="application/json; charset=utf-8"
    )
    name = slugify(household.name) or "household"
    response["Content-Disposition"] = f'attachment; filename="homefront-{name}.json"'
    response["Cache-Control"] = "no-store"
    return response
