"""The site on a real PostgreSQL primary and streaming replica, behind PgBouncer, with a Redis cache.

The replica's replay is paused to make the router's choices visible: a change saved on the
primary is seen by requests that read the primary, and not yet by those that read the replica.
"""

from __future__ import annotations

import secrets
import subprocess
import time

import pytest
from django.core.cache.backends.redis import RedisCache

from catalogue.cache import TolerantRedisCache
from ops.services import free_port, wait_for
from tests.served import DATABASE, PIN_SECONDS, SECRET_PASSWORD, SUPERUSER, Browser, FormFields, manage

pytestmark = pytest.mark.served

SUBJECT = "Neutrality"


def _subject_id(cluster) -> str:
    return cluster.primary.psql(DATABASE, f"SELECT id FROM catalogue_subject WHERE name LIKE '{SUBJECT}%'")


def _rename_subject_in_admin(browser: Browser, cluster, name: str) -> None:
    """What a curator does: open the subject's change form in the admin and save it with a new name."""
    path = f"/admin/catalogue/subject/{_subject_id(cluster)}/change/"
    form = FormFields.of(browser.get(path).text, "subject_form")
    assert "name" in form.values, "the change form was not shown"
    answer = browser.post(path, {**form.values, "name": name, "_save": "Save"})
    assert answer.status == 302, answer.text[:2000]


@pytest.fixture
def paused_replica(cluster):
    cluster.wait_for_replay()
    cluster.pause_replay()
    try:
        yield cluster
    finally:
        cluster.resume_replay()
        cluster.wait_for_replay()


@pytest.fixture
def curator(served):
    browser = Browser(served.port)
    browser.login(*SUPERUSER)
    return browser


def test_public_reads_go_to_the_replica_and_a_curator_who_saved_reads_the_primary(paused_replica, served, curator):
    cluster = paused_replica
    renamed = f"{SUBJECT} {secrets.token_hex(4)}"
    _rename_subject_in_admin(curator, cluster, renamed)
    assert curator.cookie("read_primary"), "a save pins its browser to the primary"

    # The curator who saved reads their change at once, on the public pages too.
    assert renamed in curator.get("/treaties/").text
    assert renamed in curator.get(f"/admin/catalogue/subject/{_subject_id(cluster)}/change/").text

    # Everyone else reads the replica, which has not replayed the change: pages, API, OAI-PMH, exports.
    public = Browser(served.port)
    assert cluster.replica.psql(DATABASE, f"SELECT count(*) FROM catalogue_subject WHERE name = '{renamed}'") == "0"
    for path in (
        "/treaties/",
        "/api/treaties/?facets=1",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
        "/treaties.csv",
    ):
        answer = public.get(path)
        assert answer.status == 200, path
        assert renamed not in answer.text, f"{path} was read from the primary"
        assert SUBJECT in answer.text, path

    # The pin is short: after it the curator's public pages read the replica again; the admin never does.
    time.sleep(PIN_SECONDS + 1)
    assert renamed not in curator.get("/treaties/").text
    assert renamed in curator.get(f"/admin/catalogue/subject/{_subject_id(cluster)}/change/").text

    cluster.resume_replay()
    cluster.wait_for_replay()
    wait_for(lambda: renamed in public.get("/treaties/").text, 30, "the replica's pages showing the change")
    _rename_subject_in_admin(curator, cluster, SUBJECT)


def test_a_lagging_replica_serves_counts_that_agree_with_its_rows(paused_replica, served):
    """The catalogue version, the facet index and the rows all come from the replica: an older, consistent list."""
    cluster = paused_replica
    published = "SELECT count(*) FROM catalogue_treaty WHERE status = 'published'"
    slug = cluster.primary.psql(
        DATABASE, "SELECT slug FROM catalogue_treaty WHERE status = 'published' ORDER BY slug LIMIT 1"
    )
    cluster.primary.psql(
        DATABASE, f"UPDATE catalogue_treaty SET status = 'draft', updated = now() WHERE slug = '{slug}'"
    )
    try:
        on_replica, on_primary = (
            int(cluster.replica.psql(DATABASE, published)),
            int(cluster.primary.psql(DATABASE, published)),
        )
        assert on_primary == on_replica - 1
        page = Browser(served.port).get("/treaties/").text
        assert f'data-result-count="{on_replica}"' in page, "the list's count is the replica's"
        assert f'href="/treaties/{slug}/"' in page, "the list's rows are the replica's"
    finally:
        cluster.primary.psql(
            DATABASE, f"UPDATE catalogue_treaty SET status = 'published', updated = now() WHERE slug = '{slug}'"
        )


def test_a_replica_that_is_down_is_skipped_with_a_warning(cluster, served):
    browser = Browser(served.port)
    assert browser.get("/treaties/").status == 200
    cluster.replica.stop()
    try:
        log_before = len(served.log_text())
        for path in ("/treaties/", "/api/treaties/", "/treaties/treaty-of-berlin-1926/", "/oai/?verb=Identify"):
            answer = browser.get(path + ("&" if "?" in path else "?") + f"nocache={secrets.token_hex(4)}")
            assert answer.status == 200, (path, answer.status, answer.text[:300])
        log = served.log_text()[log_before:]
        assert "replica1 is unreachable" in log
        assert "Traceback" not in log
    finally:
        cluster.replica.start()
    cluster.wait_for_replay()


def test_redis_down_serves_pages_uncached_without_errors(cluster, served):
    browser = Browser(served.port)
    query = f"/treaties/?q=berlin&n={secrets.token_hex(4)}"
    assert browser.get(query).status == 200
    keys_before = int(
        subprocess.run(["redis-cli", "-p", str(cluster.redis.port), "dbsize"], capture_output=True, text=True).stdout
    )
    assert keys_before > 0, "pages are cached in Redis"
    cluster.redis.stop()
    try:
        log_before = len(served.log_text())
        for path in (query, "/treaties/", "/api/treaties/?facets=1", "/treaties/treaty-of-berlin-1926/", "/protocols/"):
            answer = browser.get(path)
            assert answer.status == 200, (path, answer.status)
        log = served.log_text()[log_before:]
        assert "The Redis cache is unreachable" in log
        assert "Traceback" not in log
    finally:
        cluster.redis.start()
    wait_for(lambda: browser.get(f"/treaties/?n={secrets.token_hex(4)}").status == 200, 10, "pages after Redis is back")


def test_tolerant_redis_cache_against_a_port_where_nothing_listens(caplog):
    """Django's RedisCache raises on a connection error; ours answers misses and keeps nothing."""
    location = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(Exception):  # noqa: B017 - the point: the stock backend raises redis's ConnectionError
        RedisCache(location, {}).get("key")
    cache = TolerantRedisCache(location, {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert cache.get("key", "default") == "default"
    assert cache.set("key", "value") is None
    assert cache.add("key", "value") is False
    assert cache.get_many(["key"]) == {}
    assert cache.delete("key") is False
    assert cache.reachable() is False
    assert caplog.text.count("The Redis cache is unreachable") == 1, "one warning an outage, not one a call"


def test_tolerant_redis_cache_stores_in_a_running_redis(cluster):
    cache = TolerantRedisCache(cluster.redis.url(2), {})
    cache.set("page", b"content", 30)
    assert cache.get("page") == b"content"
    assert cache.reachable() is True


def test_every_public_feature_works_through_pgbouncer_in_transaction_mode(served):
    """No server-side cursor, no lost prepared statement: exports stream, the version query answers."""
    browser = Browser(served.port)
    paths = [
        "/",
        "/treaties/",
        "/treaties/?party=deu&sort=-signed",
        "/treaties/facets/party/",
        "/treaties/treaty-of-berlin-1926/",
        "/treaties/treaty-of-berlin-1926.json",
        "/treaties/treaty-of-berlin-1926.jsonld",
        "/treaties/treaty-of-berlin-1926.bib",
        "/treaties.csv",
        "/treaties.json",
        "/protocols.csv",
        "/sources.json",
        "/protocols/",
        "/parties/",
        "/sources/",
        "/api/treaties/?facets=1",
        "/api/states/",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
    ]
    for _ in range(3):  # more requests than pooled server sessions: each may land on another
        for path in paths:
            answer = browser.get(path)
            assert answer.status == 200, (path, answer.status, answer.text[:300])
    assert "Traceback" not in served.log_text()


def test_healthz_and_readyz_answer_json_without_secrets_or_hosts(cluster, served):
    browser = Browser(served.port)
    # A replica just (re)started has a lag once its WAL receiver has connected: null until then.
    wait_for(lambda: browser.get("/readyz").json()["replicas"][0]["lag_seconds"] is not None, 60, "a known lag")
    health = browser.get("/healthz")
    assert (health.status, health.json()) == (200, {"status": "ok"})
    ready = browser.get("/readyz")
    assert ready.status == 200
    body = ready.json()
    assert body["status"] == "ok"
    assert body["primary"]["ok"] and body["migrations"]["ok"] and body["cache"] == {**body["cache"], "ok": True}
    assert body["replicas"][0]["name"] == "replica1"
    assert isinstance(body["replicas"][0]["lag_seconds"], float | int)
    for secret in (
        SECRET_PASSWORD,
        "127.0.0.1",
        "localhost",
        str(cluster.bouncer.port),
        str(cluster.primary.port),
        str(cluster.replica.port),
        str(cluster.redis.port),
        "postgres",
        DATABASE,
    ):
        assert secret not in ready.text, secret
    # A balancer calls them by address, over plain HTTP: no host check, no HTTPS redirect, no login.
    assert Browser(served.port).get("/healthz", headers={"Host": "10.1.2.3"}).status == 200

    cluster.redis.stop()
    try:
        degraded = browser.get("/readyz")
        assert degraded.status == 200, "a cache that is down degrades service, it does not stop it"
        assert degraded.json()["status"] == "degraded" and degraded.json()["cache"]["ok"] is False
    finally:
        cluster.redis.start()


def test_database_outage_answers_503_with_retry_after_and_service_resumes(cluster, single_server):
    browser = Browser(single_server.port)
    assert browser.get("/treaties/").status == 200
    cached = browser.get("/treaties/?kind=treaty")  # now in the page cache
    cluster.primary.stop()
    try:
        log_before = len(single_server.log_text())
        during = browser.get("/treaties/?kind=treaty")
        assert (during.status, during.text) == (200, cached.text), "a page in the cache is served from it"
        page = browser.get(f"/treaties/?q=x{secrets.token_hex(3)}")
        assert page.status == 503
        assert page.headers["Retry-After"] == "7"
        assert "briefly unavailable" in page.text
        api = browser.get("/api/treaties/")
        assert api.status == 503 and api.headers["Retry-After"] == "7"
        assert api.json()["retry_after"] == 7
        ready = browser.get("/readyz")
        assert ready.status == 503 and ready.json()["primary"] == {"ok": False, "error": "OperationalError"}
        assert browser.get("/healthz").status == 200, "the process is up"
        log = single_server.log_text()[log_before:]
        assert "Traceback" not in log and "Internal Server Error" not in log
    finally:
        cluster.primary.start()
    wait_for(lambda: browser.get("/treaties/").status == 200, 30, "service resuming by itself")
    assert browser.get("/api/treaties/").status == 200


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return manage({"DJANGO_SETTINGS_MODULE": "archive_site.settings.dev", **env}, "check", check=False)


def test_check_reports_malformed_scale_out_settings_without_a_traceback():
    result = _check(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "DATABASE_REPLICA_URLS": "not-a-url,postgres://postgres:hunter2@127.0.0.1:5432/postgres",
            "REDIS_URL": "http://cache.example.org/",
        }
    )
    assert result.returncode == 1
    assert "DATABASE_REPLICA_URLS: entry 1 is not a database URL." in result.stderr
    assert "REDIS_URL is not a Redis URL" in result.stderr
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    assert "cache.example.org" not in result.stderr


def test_check_warns_of_an_unreachable_replica_and_redis():
    closed = free_port()
    result = _check(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "DATABASE_REPLICA_URLS": f"postgres://postgres@127.0.0.1:{closed}/postgres",
            "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "DATABASE_REPLICA_URLS: entry 1 (replica1) cannot be reached" in result.stderr
    assert "REDIS_URL: the Redis cache cannot be reached." in result.stderr


def test_replica_urls_need_a_postgresql_primary():
    result = _check({"DATABASE_URL": "", "DATABASE_REPLICA_URLS": "postgres://postgres@127.0.0.1:5432/postgres"})
    assert result.returncode == 1
    assert "DATABASE_REPLICA_URLS needs DATABASE_URL to be the PostgreSQL primary." in result.stderr
