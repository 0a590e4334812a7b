"""Stage 3, deployment hardening: secrets in the repository, its build output and history."""
