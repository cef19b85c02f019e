# Build a static binary, then run it as a non-root user on a minimal image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/wizard ./cmd/wizard \
 && /out/wizard validate

# distroless/static has no shell or curl: the binary checks its own health.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wizard /wizard
USER nonroot:nonroot
ENV PORT=8080
# The Go runtime's memory settings, for a container with 128 MiB: the live heap is a few MB plus
# the page cache (about 10 MiB), so GOGC=400 lets the collector run rarely, and the soft limit
# keeps the heap well inside the container (a 32 MiB limit made the collector thrash under load).
# Size GOMEMLIMIT to about 75% of the container's memory limit.
ENV GOGC=400 GOMEMLIMIT=96MiB
# Prometheus metrics on a port of their own, not the public one (without METRICS_ADDR the binary
# serves none).
ENV METRICS_ADDR=:9090
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s CMD ["/wizard", "healthcheck"]
ENTRYPOINT ["/wizard"]
