"""Practice sessions: the store (index + annotations) and the crash-safe recorder."""
