"""What the tests of every app share, each concern once (docs/architecture.md, Tests):
time zones (`zones`), a stopped clock (`clock`), the household's people (`households`),
trips (`trips`), their prep (`prep`), journal entries (`journal`), reading pages
(`pages`), ports on 127.0.0.1 (`ports`), real servers that receive what Homefront sends
(`receivers`), the `homefront` command (`command`), and for the browser journeys, what
they add to the demo's Levins (`household`) and what they do alike (`browser`). Their
fixtures reach every test through the root conftest's `pytest_plugins`. Only tests
import this package; an import-linter contract keeps the application from it.
"""
