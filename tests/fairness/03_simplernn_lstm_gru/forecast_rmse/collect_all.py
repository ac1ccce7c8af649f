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
    predictions, targets = [], []
    for x, y in dataset:
        predictions.append(np.asarray(predict(x), dtype=np.float64).reshape(len(y), -1))
        targets.append(np.asarray(y, dtype=np.float64).reshape(len(y), -1))
    errors = np.concatenate(predictions) - np.concatenate(targets)
    return float(scale * np.sqrt(np.mean(np.square(errors))))
