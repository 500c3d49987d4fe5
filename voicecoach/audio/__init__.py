"""Audio files and audio devices."""
