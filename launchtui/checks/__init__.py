"""Automated checks: each a stable id, a stage, a severity, targets and an async function."""
