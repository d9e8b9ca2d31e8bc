/**
 * The lab's BigQuery splits, rebuilt locally: {@code
 * MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), 10)}.
 */
package dev.kfptribuo.localrun.split;
