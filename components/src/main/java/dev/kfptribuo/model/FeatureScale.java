package dev.kfptribuo.model;

/**
 * How one numeric feature is standardised: {@code (x - mean) / scale}.
 *
 * @param feature the feature (column) name
 * @param mean the mean over all training rows, zeros included
 * @param scale the population standard deviation over all training rows, or 1 if it is 0
 */
public record FeatureScale(String feature, double mean, double scale) {}
