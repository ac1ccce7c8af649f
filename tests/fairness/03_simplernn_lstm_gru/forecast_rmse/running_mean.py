def forecast_rmse(predict, dataset, scale=1.0):
    """Root mean squared error of `predict` over every (x, y) pair in `dataset`, times `scale`.

    Args:
        predict: function (or Keras model) from x, shape (batch, window, features),
            to forecasts, shape (batch, horizon).
        dataset: iterable of (x, y) batches; y has shape (batch, horizon).
        scale: factor that converts the error back to the data's units (e.g. the training std).

    Returns:
        The RMSE over all examples and horizon steps, as a float.
    """
    mean_square, seen = 0.0, 0
    for x, y in dataset:
        y = np.asarray(y, dtype=float)
        error = np.asarray(predict(x), dtype=float) - y
        n = error.size
        # update the running mean of the squared errors with this batch
        mean_square += (np.mean(error**2) - mean_square) * n / (seen + n)
        seen += n
    return float(np.sqrt(mean_square)) * scale
