"""Stage 3, deployment hardening: env vars, secrets, the repository and the deploy's health."""
