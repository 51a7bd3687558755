# Production image: gunicorn serving Django, static files by whitenoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
RUN groupadd --system city && useradd --system --gid city --home /app city
# pg_dump/pg_restore for `manage.py backup` / `restore` (same major version as the
# postgres:15 service).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# Runtime dependencies only, exactly as locked (hashes checked); then the project.
COPY requirements/base.txt ./requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY accounts ./accounts
COPY moderation ./moderation
COPY appeals ./appeals
COPY retention ./retention
COPY notices ./notices
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir --no-deps . \
    && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build \
       AUDIT_HMAC_KEY=build-only-not-a-secret-build-only-not-a-secret \
       DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R city:city /app/var

USER city
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
