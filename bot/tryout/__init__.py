"""The try-out: the real bot against a local Bot API stand-in, in a terminal (`campaign-bot chat`) and in tests.

Nothing in the runtime imports this package; only the command line's `chat` does. It ships with the bot so that
`campaign-bot chat` works from a plain install.
"""
