"""Network access shared by every check: DNS, TCP connection mapping, TLS and HTTP."""
