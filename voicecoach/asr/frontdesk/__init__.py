"""Data for the front-desk language model: corpus, built ARPA model, extra pronunciations."""
