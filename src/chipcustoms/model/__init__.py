"""The learned risk model: features, estimator, training, evaluation, simulation."""
