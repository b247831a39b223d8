"""One clear line on stderr and exit code 2 for bad input; never a traceback."""


class CLIError(Exception):
    """A user-facing error: the message says what is wrong and how to fix it."""


class TrainingDiverged(Exception):
    """Training stopped on NaN/inf values: one line on stderr, nothing saved, exit code 1."""
