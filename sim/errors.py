"""The error type for a user's mistake (a bad file, key, value or flag).

The command line prints a `UserError` as one line and exits with code 2; anything else is a
bug in parley and keeps its traceback.
"""


class UserError(Exception):
    """A mistake in what the user gave: the message names the file, the key and what is allowed."""
