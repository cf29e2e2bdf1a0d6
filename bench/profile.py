"""Where one page spends its time: pyinstrument over repeated in-process requests.

python -m bench.profile family|hosted PATH [REPEAT]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def main(scale: str, path: str, repeat: int) -> None:
    facts = json.loads((DATA / scale / "seeded.json").read_text())
    os.environ["HOMEFRONT_DATA_DIR"] = str(DATA / scale)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from homefront.accounts.models import User

    path = path.format(**facts)
    if path.startswith("/api/"):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {facts['api_token']}")
    else:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=facts["email"]))
    assert client.get(path).status_code == 200
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            client.get(path)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
