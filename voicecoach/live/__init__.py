"""The live practice call: pipeline stages for turns and barge-in, and the threaded glue.

`run_practice` is the spoken mode of `voicecoach practice` (options: `spoken_options`).
"""

from voicecoach.live.practice import run_practice, spoken_options

__all__ = ["run_practice", "spoken_options"]
