"""What a province's IT centre deploys: the compose stack, its settings, the image's health probe,
and the dependency locks every install comes from. No Docker engine is needed (CI has none)."""

import http.server
import json
import os
import re
import subprocess
import sys
import threading
import tomllib
from importlib.resources import files
from pathlib import Path

import jsonschema
import psycopg
import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_the_compose_file_follows_the_compose_specification():
    # The Compose specification's own schema (compose-spec/compose-spec, schema/compose-spec.json),
    # as check-jsonschema ships it; its version is pinned, with its hash, in requirements-dev.lock.
    schema = json.loads((files("check_jsonschema.builtin_schemas.vendor")
                         / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert [error.message for error in validator.iter_errors(compose())] == []
    # The schema does catch a mistake an operator could make.
    broken = compose()
    broken["services"]["isobot"]["restart"] = {"policy": "always"}
    assert list(validator.iter_errors(broken))


def test_the_bot_starts_after_its_database_is_healthy_and_migrated():
    services = compose()["services"]
    postgres, migrate, bot = services["postgres"], services["migrate"], services["isobot"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]  # named: the data outlives the container
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["restart"] == postgres["restart"] == "unless-stopped"
    assert bot["ports"][0].endswith(":8443") and bot["environment"]["WEBHOOK_PORT"] == "8443"


def test_secrets_come_from_an_env_file_kept_out_of_git_and_the_image():
    services = compose()["services"]
    assert services["isobot"]["env_file"] == services["migrate"]["env_file"] == ".env"
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in (ROOT / ".dockerignore").read_text().splitlines()


def env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def setting_names() -> set[str]:
    return {name for field in Settings.model_fields.values()
            for name in field.validation_alias.choices}


def test_env_example_and_readme_name_every_setting():
    assert setting_names() - env_example_names() == set()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert {name for name in setting_names() if f"`{name}`" not in table} == set()


def test_env_example_holds_no_secret():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^#? ?([A-Z][A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD))=(.*)$", text,
                             flags=re.MULTILINE))
    assert values and all("replace" in value for value in values.values())


def healthcheck_command() -> str:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    (line,) = [line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK")]
    return line.split(" CMD ", 1)[1]


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # the standard library names it so
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def health_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def probe(port: int) -> int:
    """Run the image's HEALTHCHECK command as Docker would (with /bin/sh) against ``port``."""
    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "ISOBOT_HEALTH_PORT": str(port)}
    return subprocess.run(["/bin/sh", "-c", healthcheck_command()], env=env, timeout=30,
                          capture_output=True).returncode


def test_the_image_is_healthy_only_while_healthz_answers(health_server):
    port = health_server.server_address[1]
    _Health.status = 200
    assert probe(port) == 0
    _Health.status = 503
    assert probe(port) == 1  # Docker reads 1 as unhealthy (2 is reserved)
    health_server.shutdown()
    health_server.server_close()
    assert probe(port) == 1  # nothing listens any more


def locked(path: Path) -> dict[str, list[tuple[str, Marker | None, int]]]:
    """name → [(version, marker, number of hashes)] of a requirements lock."""
    pins: dict[str, list] = {}
    for block in re.split(r"\n(?=\S)", (ROOT / path).read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+?)(?: ; (.+?))? \\\n", block)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append(
                (version, Marker(marker) if marker else None, block.count("--hash=sha256:")))
    return pins


def version_here(pins, name: str) -> str | None:
    """The version the lock installs for ``name`` in this environment."""
    chosen = [v for v, marker, _ in pins.get(canonicalize_name(name), [])
              if marker is None or marker.evaluate()]
    return chosen[0] if chosen else None


def test_the_locks_satisfy_pyproject_and_agree_with_each_other():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = project["project"]["dependencies"] + project["build-system"]["requires"]
    dev = project["project"]["optional-dependencies"]["dev"]
    image, everything = locked(Path("requirements.lock")), locked(Path("requirements-dev.lock"))
    for pins, wanted in ((image, runtime), (everything, runtime + dev)):
        unmet = [spec for spec in map(Requirement, wanted)
                 if not spec.specifier.contains(version_here(pins, spec.name) or "none",
                                                prereleases=True)]
        assert unmet == [], "pyproject.toml changed: run `make lock`"
        assert all(hashes > 0 for entries in pins.values() for *_, hashes in entries)
    # The image runs exactly what the tests ran.
    assert {name: entries for name, entries in image.items()} == \
        {name: everything[name] for name in image}


def test_compose_reads_no_variable_env_example_does_not_name():
    variables = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
    assert "ISOBOT_IMAGE_TAG" in variables
    assert variables - env_example_names() == set()


def test_the_password_placeholders_follow_the_rule_they_state():
    # "Letters and digits only (it goes into DATABASE_URL)": a copied .env must start the stack.
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "ISOBOT_APP_PASSWORD"):
        (value,) = re.findall(rf"^{name}=(.*)$", text, flags=re.MULTILINE)
        assert re.fullmatch(r"[A-Za-z0-9]+", value) and "replace" in value


def image_paths() -> dict[str, Path]:
    """Where the final stage of the Dockerfile copies a folder of the repository → the folder."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    final = dockerfile.rsplit("\nFROM ", 1)[1]
    return {target: ROOT / source for source, target in
            re.findall(r"^COPY (?!--from)(\S+) (\S+)$", final, flags=re.MULTILINE)}


def test_the_files_env_example_points_at_are_in_the_image():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    pointed = re.findall(r"^# (ISOBOT_PROVINCE_CATALOGS|ISOBOT_CALENDAR)=(\S+)$", text,
                         flags=re.MULTILINE)
    assert len(pointed) == 2
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for _name, path in pointed:
        (target, folder), = [(t, f) for t, f in image_paths().items()
                             if path.startswith(t + "/")]
        assert (folder / path.removeprefix(target + "/")).is_file()
        assert not target.startswith("/home/isobot/data")  # the volume would hide a new image's
        assert folder.name not in ignored and f"{folder.name}/" not in ignored


def test_the_compose_walkthrough_works_with_the_files_a_newcomer_has():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    walkthrough = readme.split("docker compose up -d --build\n", 1)[1].split("```", 1)[0]
    imports = [line for line in walkthrough.splitlines() if "units import" in line]
    assert imports and all("units import --sample" in line for line in imports)
    with (ROOT / "storage" / "data" / "sample_units.csv").open(encoding="utf-8") as f:
        sample = {line.split(",", 1)[0] for line in f}
    assert set(re.findall(r"--unit (\S+)", walkthrough)) <= sample


def run_with_test_postgres(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / "test-postgres.sh"), "run", sys.executable,
                           "-c", script], capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items()
                               if not k.startswith("ISOBOT_TEST_PG")})


@pytest.mark.skipif(not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
                    reason="Debian's postgresql package (.ci/run installs it)")
def test_make_tests_postgres_runs_on_a_free_port_and_stops_even_when_the_tests_fail():
    assert "scripts/test-postgres.sh run $(BIN)/pytest" in (ROOT / "Makefile").read_text()
    script = """
import os, sys, psycopg
url = os.environ["ISOBOT_TEST_POSTGRES_URL"].replace("+psycopg", "")
with psycopg.connect(url) as connection:
    folder = connection.execute("SHOW data_directory").fetchone()[0]
print(url, folder)
sys.exit(3)  # the tests failed
"""
    first, second = run_with_test_postgres(script), run_with_test_postgres(script)
    assert (first.returncode, second.returncode) == (3, 3), first.stderr + second.stderr
    (url, folder), (_, other_folder) = first.stdout.split(), second.stdout.split()
    assert folder != other_folder  # a fresh folder each time, never the fixed default
    assert not Path(folder).exists() and not Path(other_folder).exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)  # stopped
