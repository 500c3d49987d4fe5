"""The instructor replay web app: sessions, annotated playback, reports."""
