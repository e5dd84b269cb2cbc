# mollie-mock, the fake Mollie API server of this workspace, as a container:
#
#   docker build -t mollie-mock .
#   docker run --rm --publish 8080:8080 mollie-mock
#   docker run --rm --publish 8080:8080 -v mollie-mock-state:/data mollie-mock --state /data/state.json --log
#
# (A named volume such as mollie-mock-state starts out owned by the user the mock runs as; a
# host directory must be writable by uid 65534, or run it with --user "$(id -u)".)
# Options go after the image name (`mollie-mock --help` lists them) or in MOLLIE_MOCK_*
# variables (`-e MOLLIE_MOCK_RATE_LIMIT=50`). It stops cleanly on `docker stop` (SIGTERM),
# writing its --state file first.

# The build stage: the workspace, built as `.ci/run` checks it builds (--locked: the
# versions of Cargo.lock). Bookworm, like the final stage, so that the binary finds the
# glibc it was linked against.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p mollie-mock --locked

# The final stage: the binary alone. It needs no CA certificates (TLS roots are built in)
# and no OpenSSL (rustls).
FROM debian:bookworm-slim
COPY --from=build /src/target/release/mollie-mock /usr/local/bin/mollie-mock
# A directory for --seed and --state files, writable by the unprivileged user it runs as.
RUN mkdir /data && chown 65534:65534 /data
WORKDIR /data
USER 65534:65534
EXPOSE 8080
# All interfaces, so that the published port reaches it (the default, 127.0.0.1, is the
# container's own loopback). `--addr` after the image name, or MOLLIE_MOCK_ADDR, changes it.
ENV MOLLIE_MOCK_ADDR=0.0.0.0:8080
ENTRYPOINT ["/usr/local/bin/mollie-mock"]
