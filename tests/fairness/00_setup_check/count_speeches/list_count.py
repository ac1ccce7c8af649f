def count_speeches(text: str, speaker: str) -> int:
    """Return how many lines of ``text`` are exactly ``speaker`` followed by a colon."""
    return text.splitlines().count(f"{speaker}:")
