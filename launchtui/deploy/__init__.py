"""Deployment hardening without the UI: environment variables and where they are set, health
reports, the app repository."""
