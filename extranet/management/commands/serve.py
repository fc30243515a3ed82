"""Serve Maillage with daphne: `manage.py serve [--host H] [--port P] [--workers N]`.

With N > 1, starts N daphne processes on ports P, P+1, ... for a reverse proxy to balance
(websockets included); that requires REDIS_URL, checked before anything starts.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from extranet.workers import check_worker_count


class Command(BaseCommand):
    help = "Serve the site (HTTP and websockets) with daphne."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.WEB_CONCURRENCY)

    def handle(self, *args, host, port, workers, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        try:
            check_worker_count(workers, settings.CHANNEL_LAYERS)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        env = {**os.environ, "WEB_CONCURRENCY": "1"}
        commands = [
            [sys.executable, "-m", "daphne", "-b", host, "-p", str(port + i),
             # Client addresses come from X-Forwarded-For only behind a trusted proxy
             # (allauth's rate limits count per address).
             *(["--proxy-headers"] if settings.BEHIND_PROXY else []),
             "extranet.asgi:application"]
            for i in range(workers)
        ]
        for i in range(workers):
            self.stdout.write(f"Maillage: http://{host}:{port + i}/")
        processes = [subprocess.Popen(cmd, env=env) for cmd in commands]
        try:
            codes = [p.wait() for p in processes]
        except KeyboardInterrupt:
            for p in processes:
                p.send_signal(signal.SIGINT)
            codes = [p.wait() for p in processes]
        if any(codes):
            raise CommandError(f"A server process stopped with an error ({codes}).")
