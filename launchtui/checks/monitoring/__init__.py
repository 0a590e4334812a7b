"""Stage 6, monitoring: the core flows answer as the exported monitors judge them, every
certificate has time left, the team's monitors cover the flows and alert someone, and
production errors reach an error tracker.

The stage's checks are declared here (see launchtui.checks.edge for how declarations and the
modules that run them are split); each block is self-contained.
"""

from __future__ import annotations
