"""The sprint file: the typed target description, and the store that loads and saves it."""
