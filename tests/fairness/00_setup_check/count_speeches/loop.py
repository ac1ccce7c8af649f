def count_speeches(text: str, speaker: str) -> int:
    """Return how many lines of ``text`` are exactly ``speaker`` followed by a colon."""
    count = 0
    for line in text.split("\n"):
        if line == speaker + ":":
            count += 1
    return count
