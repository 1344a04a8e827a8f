# syntax=docker/dockerfile:1

# carrierdesk: one static binary on a distroless base, run as a non-root user.
#
#   docker build -t carrierdesk .
#   docker run -p 8080:8080 -e APP_ENV=production -e DATABASE_URL=postgres://... \
#     -e JWT_JWKS_URL=https://... carrierdesk
#
# Without DATABASE_URL it keeps the embedded SQLite file in the /data volume.
# Every setting is an environment variable: see the README's Configuration.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Every driver is pure Go (modernc SQLite, lib/pq), so without cgo the binary
# is static and needs no libc in the runtime image.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -pgo=server/release.pgo -ldflags='-s -w' -o /out/carrierdesk ./server \
 && mkdir /out/data

# static-debian12 has CA certificates (for JWKS and OTLP over https) and
# tzdata, and no shell; :nonroot runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/carrierdesk /carrierdesk
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV ADDR=:8080 \
    SQLITE_PATH=/data/carrierdesk.db
VOLUME /data
EXPOSE 8080
USER 65532:65532
# The image has no curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/carrierdesk", "healthcheck"]
ENTRYPOINT ["/carrierdesk"]
