"""The limits of a run, shared by every entry point (the app, `check`, the demo)."""

from __future__ import annotations

DEFAULT_TIMEOUT = 5.0  # seconds per network operation; [network].timeout and --timeout change it
MAX_TIMEOUT = 300.0
# Checks in flight at once. Waiting on the network does not need a small number here: the
# network layer caps connections per host (net/connect.PER_HOST) and DNS queries per resolver
# (net/dns.IN_FLIGHT), which is what keeps the probes polite.
DEFAULT_CONCURRENCY = 256
MAX_CONCURRENCY = 1024
