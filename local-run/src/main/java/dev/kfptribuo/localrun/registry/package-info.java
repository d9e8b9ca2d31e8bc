/**
 * The local model registry the main job deploys to, with AI Platform's deploy semantics and
 * versions that switch in one step.
 */
package dev.kfptribuo.localrun.registry;
