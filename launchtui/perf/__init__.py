"""Performance guardrails that are not checks: the latency probe (open-model schedule,
HdrHistogram percentiles, per-phase times), HTTP caching rules (RFC 9111), rate-limit header
fields, the identities a check loads a private page as, the browser page load (perf.page)
and the locustfile export."""
