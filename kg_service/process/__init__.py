"""Processes and what they share: the run folder, the writer, retirement, workers."""
