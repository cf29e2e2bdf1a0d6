"""One household as one versioned JSON file, and back.

The file names objects by export ids (1, 2, 3... per table, in database order)
and people by email, never by database id, so export → import into another
installation → export gives the same bytes. Login tokens (invitations,
calendar feeds, share-link tokens) and the outbox of messages are left out:
they are secrets of one installation or its passing work, not family data.

`schema.py` says what the file holds, `exporting.py` writes it, `importing.py` reads it
back through the refusals of `checks.py`.
"""

from homefront.portability.household_file.exporting import export_household
from homefront.portability.household_file.importing import import_household
from homefront.portability.household_file.importing import load
from homefront.portability.household_file.schema import FORMAT
from homefront.portability.household_file.schema import TABLES
from homefront.portability.household_file.schema import VERSION
from homefront.portability.household_file.schema import ImportRefused
from homefront.portability.household_file.schema import dumps

__all__ = [
    "FORMAT",
    "TABLES",
    "VERSION",
    "ImportRefused",
    "dumps",
    "export_household",
    "import_household",
    "load",
]
