"""Errors about files Rapport keeps (the serving warehouse, manifests, run state)."""


class UnreadableState(RuntimeError):
    """A file Rapport wrote cannot be read back (truncated, foreign, corrupt); the message
    names the file and how to repair it."""
