# Build stage: the release binary (SQLite is compiled in; libpq comes from Debian).
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock diesel.toml ./
COPY src src
COPY migrations migrations
RUN cargo build --release --locked

# Runtime stage: a small Debian with libpq, run as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/servicedesk --create-home servicedesk
COPY --from=build /src/target/release/servicedesk /usr/local/bin/servicedesk
USER servicedesk
WORKDIR /var/lib/servicedesk
ENV SERVICEDESK_BIND=0.0.0.0:8080 \
    SERVICEDESK_DATA_DIR=/var/lib/servicedesk/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["servicedesk"]
CMD ["serve"]
