"""Production-like settings for the in-process benchmarks: DEBUG off, the production cache and middleware.

The production settings module itself needs a secret key and ALLOWED_HOSTS in
the environment and forces HTTPS; the in-process measurements use Django's
test client on plain HTTP, so they take the base settings with DEBUG off and
the test client's host allowed. The served load test (``benchmarks.load``)
runs the real production settings under gunicorn.
"""

from archive_site.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "benchmark-only-" + "x" * 50  # never served: the in-process client only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Production connections persist (CONN_MAX_AGE in prod.py); so do they here.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
