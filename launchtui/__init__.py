"""launchtui: run a launch-ready sprint for a membership-community platform."""

__version__ = "0.1.0"
