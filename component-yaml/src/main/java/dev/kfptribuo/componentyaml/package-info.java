/**
 * The KFP component templates ({@code component-yaml/<name>/component.yaml}) read and resolved as
 * KFP resolves them ({@link dev.kfptribuo.componentyaml.ComponentSpec}): the one reader the
 * contract tests and the local run share.
 */
package dev.kfptribuo.componentyaml;
