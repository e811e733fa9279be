# Multi-stage build: a static optin binary on an empty base, running as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o /out/optin ./cmd/optin \
 && echo 'optin:x:10001:10001:optin:/:/sbin/nologin' > /out/passwd \
 && mkdir -p /out/spool

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/optin /usr/local/bin/optin
# Opt-outs taken while PostgreSQL does not answer wait here until replayed: mount a volume.
COPY --from=build --chown=10001:10001 /out/spool /var/lib/optin/spool
ENV SPOOL_DIR=/var/lib/optin/spool
VOLUME /var/lib/optin/spool
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/optin"]
CMD ["serve"]
