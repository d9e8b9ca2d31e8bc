/**
 * The trainer image's program, {@code train}: the lab's {@code train.py}, flag for flag, in tuning
 * and final mode.
 */
package dev.kfptribuo.trainer;
