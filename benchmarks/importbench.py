"""The import of a generated CSV against ``loaddata`` of the same records as a JSON fixture (the peer).

Both start from the same state: a fresh database holding only the reference
data (``generate_catalogue --reference-only``). The import reads the CSV
that ``generate_catalogue --output`` writes; the fixture is ``dumpdata`` of the
imported treaties and their parts (treaties, titles, participations,
registrations, protocols, citations, events), so both load the same rows.
Each load runs as the only child of a ``benchmarks.rss`` wrapper, which
reports its wall time and peak memory (max RSS). ``loaddata`` writes no history
rows and runs no checks beyond the database's; the import does both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .run import ROOT, fresh_database, manage, pg_url

FIXTURE_MODELS = (
    "catalogue.treaty",
    "catalogue.treatytitle",
    "catalogue.participation",
    "catalogue.protocol",
    "catalogue.registration",
    "catalogue.event",
    "catalogue.citation",
)


def _measured(url: str, *args: str) -> dict:
    import os

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "archive_site.settings.dev"}
    command = [sys.executable, "-m", "benchmarks.rss", "--", sys.executable, str(ROOT / "manage.py"), *args]
    out = subprocess.run(command, env=env, check=True, cwd=ROOT, text=True, capture_output=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result['stderr']}")
    return result


def run(size: int, *, server: str, seed: int = 1) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path, fixture = work / "records.csv", work / "records.json"
    imported, loaded = "bench_import_csv", "bench_import_fixture"
    imported_url, loaded_url = pg_url(server, imported), pg_url(server, loaded)

    fresh_database(imported_url, server, imported)
    manage(imported_url, "generate_catalogue", "--treaties", "0", "--reference-only")
    manage(imported_url, "generate_catalogue", "--treaties", str(size), "--seed", str(seed), "--output", str(csv_path))
    result = {"size": size, "csv_mb": round(csv_path.stat().st_size / 1e6, 1)}
    print(f"  import_catalogue {csv_path.name} ({result['csv_mb']} MB)...", flush=True)
    result["import"] = _measured(imported_url, "import_catalogue", str(csv_path), "--no-progress")

    manage(imported_url, "dumpdata", *FIXTURE_MODELS, "--output", str(fixture), "--verbosity", "0")
    result["fixture_mb"] = round(fixture.stat().st_size / 1e6, 1)
    fresh_database(loaded_url, server, loaded)
    manage(loaded_url, "generate_catalogue", "--treaties", "0", "--reference-only")
    print(f"  loaddata {fixture.name} ({result['fixture_mb']} MB)...", flush=True)
    result["loaddata"] = _measured(loaded_url, "loaddata", str(fixture))
    result["speedup"] = round(result["loaddata"]["seconds"] / result["import"]["seconds"], 1)
    for path in (csv_path, fixture):
        path.unlink(missing_ok=True)
    work.rmdir()
    return result
