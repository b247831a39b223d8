"""Placeholder, replaced below."""
def run():
    pass
