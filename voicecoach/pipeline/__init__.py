"""Typed messages and the stage machinery that moves them through a call."""
