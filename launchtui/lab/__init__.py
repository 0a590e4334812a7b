"""The embedded lab: a fictional community platform (Harbor Club) served on loopback.

An authoritative DNS server and "public resolvers", HTTPS and HTTP virtual hosts with
certificates from a lab CA, and the platform's endpoints, with seeded launch problems, so that
a newcomer sees every check work without a real domain and tests run against real sockets.
"""

from launchtui.lab.config import HostSpec, LabConfig, Route, bench_config, demo_config
from launchtui.lab.server import Lab, LabThread

__all__ = ["HostSpec", "Lab", "LabConfig", "LabThread", "Route", "bench_config", "demo_config"]
