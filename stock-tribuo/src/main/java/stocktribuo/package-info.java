/**
 * A plain Tribuo 4.3.2 program, as a Tribuo user writes one, that loads a model saved by {@code
 * train}.
 */
package stocktribuo;
