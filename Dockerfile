# syntax=docker/dockerfile:1
#
# bank-server and bank in a small, non-root runtime image.
#
#   docker build -t bank-service:0.1.0 .
#   docker run --rm -p 50051:50051 -e BANK_SEED=42 bank-service:0.1.0
#   docker run --rm --entrypoint /usr/local/bin/bank bank-service:0.1.0 --help
#
# Not built on the project's development machines, which have no container
# engine: it is kept conventional on purpose (official Rust image, BuildKit
# cache mounts, distroless runtime). Needs BuildKit (the default builder of
# Docker >= 23, and of buildah/podman) for the cache mounts.

# ---- build ---------------------------------------------------------------
# Cargo.toml asks for Rust >= 1.88 (edition 2024). Same Debian release
# (bookworm, glibc 2.36) as the runtime image below, so the dynamically
# linked binaries find the glibc they were built against.
FROM rust:1.88-bookworm AS build

WORKDIR /src

# The workspace, without fuzz/ (a workspace of its own). build.rs compiles
# proto/ with protox (pure Rust: no protoc needed); locales/ and proto/ are
# also embedded with include_str!; tests/ and benches/ are members of the
# workspace, so cargo wants their manifests present even though nothing
# here builds them.
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto ./proto
COPY domain ./domain
COPY locales ./locales
COPY server ./server
COPY client ./client
COPY tests ./tests
COPY benches ./benches
COPY web/dist ./web/dist

# The registry and target/ live in cache mounts, so a rebuild after a
# source change reuses downloaded crates and compiled dependencies; the
# binaries are copied out of the mount within the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin bank-server --bin bank \
 && install -D -m 0755 target/release/bank-server /out/bank-server \
 && install -D -m 0755 target/release/bank /out/bank

# ---- runtime -------------------------------------------------------------
# distroless/cc: glibc, libgcc_s (the binaries link them dynamically),
# CA certificates (for `bank --server https://...`) and nothing else: no
# shell, no package manager. The :nonroot tag has the user nonroot,
# uid/gid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot

COPY --from=build /out/bank-server /usr/local/bin/bank-server
COPY --from=build /out/bank /usr/local/bin/bank

# Numeric, so that Kubernetes can check runAsNonRoot against it.
USER 65532:65532

# 50051: gRPC (plaintext h2c, or TLS with --tls-cert/--tls-key).
# 9464: Prometheus metrics, only when --metrics-addr is given.
EXPOSE 50051 9464

# Listen on every interface: the server's default, 127.0.0.1, is unreachable
# from outside the container. Pass other flags (or BANK_* variables) as
# needed; arguments given to `docker run` replace this CMD, so repeat
# --addr with them. Give every replica the same --seed / BANK_SEED.
ENTRYPOINT ["/usr/local/bin/bank-server"]
CMD ["--addr", "0.0.0.0:50051"]
