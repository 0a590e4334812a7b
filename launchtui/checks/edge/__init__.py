"""Stage 2, domain and edge: DNS, TLS and HTTP on every public hostname, and the edge."""
