"""Deployment hardening without the network: health reports, the app repository."""
