# Build the wheel with the toolchain, run it on a slim image as a non-root user.
# Dependencies come from requirements.lock, pinned and hashed; the wheel adds only Byline.
FROM python:3.11.14-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.14-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 PORT=8000 DATA_DIR=/data DATABASE_URL=sqlite:////data/byline.sqlite3
RUN useradd --create-home --uid 10001 byline && mkdir /data && chown byline /data
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels
USER 10001
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/healthz', timeout=2)"]
# Migrating under PostgreSQL's advisory lock is safe with replicas starting together;
# `exec` then makes the server PID 1, so `docker stop` reaches it and shutdown runs.
CMD ["sh", "-c", "byline migrate && exec byline serve"]
