/**
 * The main job: the lab's whole pipeline on one machine, running the programs of the images as
 * processes, as the cloud runs the containers.
 */
package dev.kfptribuo.localrun;
