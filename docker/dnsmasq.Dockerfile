# dnsmasq beside the Portal (docker/compose.yaml): Debian's dnsmasq and iPXE builds, running the
# configuration the Portal writes from Netboot__Dhcp__* into the shared data volume.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends dnsmasq-base ipxe && rm -rf /var/lib/apt/lists/*
# Waits for the Portal to write the file, then runs dnsmasq in the foreground, logging to stderr.
ENTRYPOINT ["sh", "-c", "until [ -s /var/lib/portal/dnsmasq/dnsmasq.conf ]; do echo 'waiting for the Portal to write dnsmasq.conf'; sleep 2; done; exec dnsmasq --keep-in-foreground --log-facility=- --pid-file= --conf-file=/var/lib/portal/dnsmasq/dnsmasq.conf"]
