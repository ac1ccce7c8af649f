def tag_accuracy(tags, probs, ids):
    """Accuracy of (probs > 0.5) against tags over the positions where ids != 0."""
    tags, ids = np.asarray(tags), np.asarray(ids)
    probs = np.asarray(probs).reshape(tags.shape)
    right = total = 0
    for row in range(tags.shape[0]):
        for t in range(tags.shape[1]):
            if ids[row, t] != 0:
                total += 1
                right += int((probs[row, t] > 0.5) == (tags[row, t] == 1))
    return right / total
