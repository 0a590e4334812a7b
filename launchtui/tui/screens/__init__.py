"""The app's screens: one per stage, and the one-line error shown for a bad sprint file."""
