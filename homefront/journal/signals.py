"""What the journal tells the apps above it, without knowing them."""

from django.dispatch import Signal

# New entries were stored: `trip`, `entries` (the new ones only, children set) and
# `author_id` (None for a share link). Sent inside the storing transaction.
entries_logged = Signal()
