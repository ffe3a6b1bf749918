# A slim, non-root image whose entry point is `isobot` (default: `isobot run`).
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir babel
COPY pyproject.toml README.md babel.cfg ./
COPY bot bot
COPY jobs jobs
COPY storage storage
COPY locales locales
RUN pybabel compile --domain messages --directory locales \
 && pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 isobot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER isobot
WORKDIR /home/isobot
ENV DATABASE_URL=sqlite:////home/isobot/data/isobot.sqlite3 \
    PYTHONUNBUFFERED=1
VOLUME ["/home/isobot/data"]
EXPOSE 8443
ENTRYPOINT ["isobot"]
CMD ["run"]
