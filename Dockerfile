# isobot's image: `docker build -t isobot .`, then `docker compose up -d` (see README, "Running it
# for a province"). The locked dependencies are a layer of their own, so a code change rebuilds
# only the small wheel layer; the bot runs as the non-root user `isobot`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# 1. Every dependency from requirements.lock, each file checked against its sha256, in a virtual
#    environment. This layer changes only when the lock does (`make lock`).
FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/isobot \
 && /opt/isobot/bin/pip install --require-hashes -r /tmp/requirements.lock \
 && rm /tmp/requirements.lock

# 2. The wheel, built with the build backend from the lock. `make check-image` copies the paths
#    these COPY lines name (each to the same place) and runs the same script.
FROM runtime AS build
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY scripts/build-wheel.sh scripts/
COPY bot bot
COPY jobs jobs
COPY storage storage
COPY locales locales
RUN PATH=/opt/isobot/bin:$PATH scripts/build-wheel.sh /wheels

# 3. The image: the dependencies' layer, the wheel alone on top, and a user who owns its data.
FROM runtime
# A volume mounted on a path the image lacks is created root-owned, and the non-root bot then
# fails with "unable to open database file": the folder exists here, owned by isobot, so a new
# named volume starts with that owner.
RUN useradd --create-home --uid 10001 isobot \
 && install -d -o isobot -g isobot -m 0750 /home/isobot/data
# The example province catalogs and calendar, outside the data volume (a volume would keep an
# old copy over a newer image's): .env.example points ISOBOT_PROVINCE_CATALOGS and
# ISOBOT_CALENDAR here.
COPY catalogs /home/isobot/catalogs
COPY calendars /home/isobot/calendars
COPY --from=build /wheels /wheels
RUN /opt/isobot/bin/pip install --no-deps /wheels/*.whl \
 && /opt/isobot/bin/pip check \
 && rm -rf /wheels
ENV PATH=/opt/isobot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////home/isobot/data/isobot.sqlite3
USER isobot
WORKDIR /home/isobot
VOLUME ["/home/isobot/data"]
# The webhook server (WEBHOOK_PORT), and /healthz, /readyz, /metrics (ISOBOT_HEALTH_PORT).
EXPOSE 8443 8080
# Healthy while the process answers on its health port (ISOBOT_HEALTH_PORT, /healthz): urlopen
# raises on a refused connection, a timeout or any non-2xx answer, and python then exits 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${ISOBOT_HEALTH_PORT:-8080}/healthz', timeout=4)" || exit 1
ENTRYPOINT ["isobot"]
CMD ["run"]
