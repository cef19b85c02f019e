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
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s CMD ["/wizard", "healthcheck"]
ENTRYPOINT ["/wizard"]
