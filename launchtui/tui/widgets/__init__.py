"""Widgets shared by the stage screens."""
