# Safeguard's one image: web (gunicorn), worker and beat (Celery) all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=safeguard.settings.production

# Pango and a font for WeasyPrint's PDF exports.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The application runs as this user; the code stays owned by root, so the app cannot change it.
RUN groupadd --system --gid 10001 safeguard \
    && useradd --system --uid 10001 --gid safeguard --create-home --home-dir /home/safeguard safeguard

WORKDIR /app

# Dependencies first, read from pyproject.toml, so that a change to the code alone does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself, installed in place: templates/ and static/ are found beside the code.
COPY . .
RUN pip install --no-deps --editable .

# Collect static files into the image, so that worker and beat have the manifest too (templates they render use
# it); web collects again at start. The key here only lets the settings load; it is never used to sign anything.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R safeguard:safeguard /app/staticfiles
# Case documents live here, outside the web root, on the `attachments` volume (created owned by the app's user).
RUN mkdir -p /app/var/attachments /app/var/reports && chown -R safeguard:safeguard /app/var

USER safeguard

EXPOSE 8000
CMD ["gunicorn", "safeguard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
