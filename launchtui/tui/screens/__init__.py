"""The app's screens: the opener, the new-sprint form, one per stage, dialogs, and the one-line
error shown for a bad sprint file."""
