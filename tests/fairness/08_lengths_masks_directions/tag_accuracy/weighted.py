def tag_accuracy(tags, probs, ids):
    """Accuracy of (probs > 0.5) against tags over the positions where ids != 0."""
    weights = (np.asarray(ids) != 0).astype(float)
    predicted = (
        np.squeeze(np.asarray(probs), axis=-1) if np.ndim(probs) == 3 else np.asarray(probs)
    ) > 0.5
    correct = (predicted == np.asarray(tags).astype(bool)).astype(float)
    return float(np.sum(correct * weights) / np.sum(weights))
