"""What the tests of every app share, each concern once: time zones (`zones`), trips
(`trips`), ports on 127.0.0.1 (`ports`) and real servers that receive what Homefront
sends (`receivers`). Their fixtures reach every test through the root conftest's
`pytest_plugins`. Only tests import this package; an import-linter contract keeps the
application from it.
"""
