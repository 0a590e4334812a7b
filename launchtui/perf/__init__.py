"""Performance guardrails that are not checks: the latency probe (open-model schedule,
HdrHistogram percentiles, per-phase times), HTTP caching rules (RFC 9111), rate-limit header
fields, and the identities a check loads a private page as."""
