/**
 * How the images' programs start on this machine: their module's classpath and class-data archive,
 * and their command line.
 */
package dev.kfptribuo.localrun.launch;
