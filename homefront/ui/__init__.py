"""Pieces every app's pages share: form helpers and widgets (`forms.py`), the generic
form and delete pages (`views.py`), with their templates in `templates/ui/`."""
