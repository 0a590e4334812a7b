"""Stage 6 that is not a check: the monitors written for Prometheus (blackbox_exporter,
Alertmanager) and Gatus, the team's existing monitors read back, alert-route proofs and the
error-tracking canary. launchtui is not a monitoring server: it writes monitors for engines
teams already run, proves they work and checks what is there."""
