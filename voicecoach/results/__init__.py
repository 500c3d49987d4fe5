"""Results as trainees and instructors read them: one vocabulary, terminal views, progress."""
