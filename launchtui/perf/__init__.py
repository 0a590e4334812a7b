"""Performance guardrails' domain logic (stage 4), without Textual: the browser page load
(perf.page) and the locustfile export."""
