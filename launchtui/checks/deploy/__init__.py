"""Stage 3, deployment hardening: environment variables, secrets, the deploy's health."""
