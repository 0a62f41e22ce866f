FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TRIALSITE_MODE=production
WORKDIR /app
# pg_dump/pg_restore of the server's major version (bookworm's client is 15, as the compose db) for backups.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Build-time secret only for collectstatic; the real one comes from the environment at run time.
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only-x \
    ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput && python manage.py compiletranslations \
    && useradd --system --uid 1000 trialsite && mkdir -p var /backups && chown trialsite var /backups
USER trialsite
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && exec gunicorn trialsite.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
