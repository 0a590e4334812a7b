"""Performance guardrails that are not checks: HTTP caching rules (RFC 9111), rate-limit header
fields, and the identities a check loads a private page as."""
