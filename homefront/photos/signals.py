"""What the photos app tells the apps above it, without knowing them."""

from django.dispatch import Signal

# A new photo was stored: `photo`, `children` (their names) and `author_id` (None for a
# share link). Sent inside the storing transaction (notify pushes and posts it).
photo_stored = Signal()
