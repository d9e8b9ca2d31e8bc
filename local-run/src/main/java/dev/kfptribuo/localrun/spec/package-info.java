/**
 * The component templates ({@code component-yaml/<name>/component.yaml}) as the local run starts
 * them: the command lines KFP would run, with the local launcher.
 */
package dev.kfptribuo.localrun.spec;
