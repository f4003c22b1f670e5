"""The deployment files agree with the settings: docker-compose.yml, the Dockerfile, and `check --deploy`.

No Docker engine runs where these tests do, so they read the files rather than build or start anything.
"""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_READ_IN_PRODUCTION = [ROOT / "safeguard/settings/base.py", ROOT / "safeguard/settings/production.py"]
APP_SERVICES = ("web", "worker", "beat")
# Services that load the settings: the long-running ones, and the one-shot step that migrates as the tables' owner.
DJANGO_SERVICES = (*APP_SERVICES, "migrate")

# Variables set in compose that no settings module reads, each with the reason it is there.
CONTAINER_ONLY = {
    "web": {"DJANGO_SETTINGS_MODULE"},  # read by Django itself, to choose the settings module
    "worker": {"DJANGO_SETTINGS_MODULE"},
    "beat": {"DJANGO_SETTINGS_MODULE"},
    "migrate": {"DJANGO_SETTINGS_MODULE"},
    "postgres": {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"},  # read by the postgres image on first start
    "redis": set(),
}
# Read by the settings, but deliberately not passed to the containers.
NOT_PASSED = {
    "DJANGO_DEBUG": "production.py sets DEBUG = False whatever the environment says",
    "SAFEGUARD_DB_APP_ROLE": "read by migrate only, which creates the application's role and grants it its rights",
    "SAFEGUARD_DB_APP_PASSWORD": "read by migrate only; the application's own password is in its DATABASE_URL",
}


def _env_reads(path):
    """{name: required} for every environment variable a settings file reads.

    Recognises env("NAME", ...), env.<cast>("NAME", ...), os.environ["NAME"], os.environ.get and os.getenv.
    A read is required when it gives no default.
    """
    reads = {}

    def note(name, required):
        reads[name] = reads.get(name, False) or required

    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Subscript):
            target = node.value
            if _dotted(target) == "os.environ" and isinstance(node.slice, ast.Constant):
                note(node.slice.value, isinstance(node.ctx, ast.Load))
            continue
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        name = node.args[0].value
        func = _dotted(node.func)
        has_default_kw = any(k.arg == "default" for k in node.keywords)
        if func == "env":  # env(var, cast=None, default=NOTSET)
            note(name, not (has_default_kw or len(node.args) >= 3))
        elif func and func.startswith("env."):  # env.bool(var, default=NOTSET), env.db(var, default=...)
            note(name, not (has_default_kw or len(node.args) >= 2))
        elif func in ("os.environ.get", "os.getenv", "os.environ.setdefault"):
            note(name, False)
    return reads


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


@pytest.fixture(scope="module")
def settings_env():
    reads = {}
    for path in SETTINGS_READ_IN_PRODUCTION:
        for name, required in _env_reads(path).items():
            reads[name] = reads.get(name, False) or required
    return reads


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["NAME=value", "NAME"]
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def _command(service):
    command = service.get("command")
    return " ".join(command) if isinstance(command, list) else (command or "")


def test_the_settings_parser_finds_what_it_should(settings_env):
    # Guards the tests below against passing because the parser found nothing.
    assert settings_env["DJANGO_SECRET_KEY"] is True
    assert settings_env["DATABASE_URL"] is False
    assert settings_env["DJANGO_SECURE_HSTS_SECONDS"] is False  # from production.py
    assert len(settings_env) > 10


def test_the_six_services_exist(compose):
    assert set(compose["services"]) == {"migrate", "web", "worker", "beat", "postgres", "redis"}


def test_images_and_commands(compose):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn safeguard.wsgi" in _command(services["web"])
    assert "celery -A safeguard worker" in _command(services["worker"])
    assert "celery -A safeguard beat" in _command(services["beat"])
    web = _command(services["web"])
    assert web.index("collectstatic") < web.index("gunicorn")
    assert "manage.py migrate" in _command(services["migrate"])
    for name in DJANGO_SERVICES:
        assert services[name].get("build"), f"{name} is built from this repository's Dockerfile"


def test_every_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name == "migrate":  # runs once and exits; what waits for it waits for it to finish
            continue
        test = (service.get("healthcheck") or {}).get("test")
        assert test, f"{name} has no healthcheck"
        assert test not in (["NONE"], "NONE"), f"{name}'s healthcheck is disabled"
    web_check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/health/" in web_check
    # Production redirects plain HTTP and refuses unknown hosts, so the probe must look like the proxy's requests.
    assert "X-Forwarded-Proto" in web_check and "DJANGO_ALLOWED_HOSTS" in web_check


def test_app_services_run_production_settings(compose):
    for name in DJANGO_SERVICES:
        env = _environment(compose["services"][name])
        assert env.get("DJANGO_SETTINGS_MODULE") == "safeguard.settings.production", name


def test_required_settings_are_given_to_every_app_service(compose, settings_env):
    required = {name for name, is_required in settings_env.items() if is_required}
    # Not required by the parser's rule, but production cannot work without them.
    required |= {"DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"}
    for name in DJANGO_SERVICES:
        env = _environment(compose["services"][name])
        missing = {var for var in required if env.get(var) in (None, "")}
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_secrets_must_be_supplied_not_defaulted(compose):
    """A missing secret stops `docker compose up` with a message, rather than starting with a blank or default one."""
    for name in DJANGO_SERVICES:
        env = _environment(compose["services"][name])
        assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?[^}]+\}", env["DJANGO_SECRET_KEY"]), name
        assert re.fullmatch(r"\$\{DJANGO_ALLOWED_HOSTS:\?[^}]+\}", env["DJANGO_ALLOWED_HOSTS"]), name
    for name in APP_SERVICES:
        assert "${POSTGRES_APP_PASSWORD:?" in _environment(compose["services"][name])["DATABASE_URL"], name
    migrate = _environment(compose["services"]["migrate"])
    assert "${POSTGRES_PASSWORD:?" in migrate["DATABASE_URL"]
    assert migrate["SAFEGUARD_DB_APP_PASSWORD"].startswith("${POSTGRES_APP_PASSWORD:?")
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_migrations_run_as_the_owner_and_everything_else_as_the_application_role(compose):
    """The owner's password reaches only migrate; web, worker and beat connect as the role migrate grants to, and
    start only once migrate has finished."""
    services = compose["services"]
    owner = services["postgres"]["environment"]["POSTGRES_USER"]
    migrate = _environment(services["migrate"])
    app_role = migrate["SAFEGUARD_DB_APP_ROLE"]
    assert app_role and app_role != owner
    assert _database_user(migrate["DATABASE_URL"]) == owner
    for name in APP_SERVICES:
        env = _environment(services[name])
        assert _database_user(env["DATABASE_URL"]) == app_role, name
        assert not any("POSTGRES_PASSWORD" in str(value) for value in env.values()), f"{name} knows the owner's"
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert "migrate" not in _command(services[name]), f"{name} must not migrate: it is not the owner"
    assert services["migrate"].get("restart") == "no"


def _database_user(url):
    return re.match(r"postgres://([^:@]+)", url).group(1)


def test_no_stale_variables(compose, settings_env):
    """Every variable compose sets is one the settings read, or one listed in CONTAINER_ONLY with its reason."""
    for name, service in compose["services"].items():
        read = set(settings_env) if name in DJANGO_SERVICES else set()
        stale = set(_environment(service)) - read - CONTAINER_ONLY[name]
        assert not stale, f"{name} sets variables nothing reads: {sorted(stale)}"


def test_every_setting_reaches_the_app_services(compose, settings_env):
    """Optional settings are passed through too (unset unless given), so an operator can change any of them."""
    for name in APP_SERVICES:
        env = set(_environment(compose["services"][name]))
        missing = set(settings_env) - env - set(NOT_PASSED)
        assert not missing, f"{name} does not pass {sorted(missing)}: add them to x-app-environment in compose"


def test_readme_documents_every_setting(settings_env):
    readme = (ROOT / "README.md").read_text()
    undocumented = {name for name in settings_env if f"`{name}`" not in readme}
    assert not undocumented, f"add these to the configuration table in README.md: {sorted(undocumented)}"


def test_postgres_data_is_kept_in_a_named_volume(compose):
    volumes = compose["services"]["postgres"].get("volumes", [])
    named = [v.split(":", 1)[0] for v in volumes if isinstance(v, str) and v.endswith(":/var/lib/postgresql/data")]
    assert named and named[0] in (compose.get("volumes") or {})


def test_dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"):
        assert package in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    assert "pip install" in text and "pyproject.toml" in text


def test_check_deploy_passes_under_production_settings(tmp_path):
    # Nothing inherited from the test run may change the outcome (the e2e tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFEGUARD_", "CELERY_"))}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "safeguard.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/14",
    }
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
