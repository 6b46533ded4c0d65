import { parseLabelSelector } from '../../../../lib/common/label-selector.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import { isProtectedNamespace, PROTECTED_NAMESPACES_RULE } from '../../../../lib/domain/protected-namespaces.js';
import { renamedNamespace } from '../../../../lib/domain/namespace-mapping.js';
import type { CopyOptions, PersistentVolumeOptions, Selection, Transforms } from '../../../../lib/domain/definitions/options.js';

/**
 * Rules across fields of one option group, which JSON Schema cannot express clearly. Each failure is
 * a 422 naming the field to change. `at` is the group's path, e.g. `body.selection`.
 */

export function checkLabels(labels: string, at: string): void {
  const parsed = parseLabelSelector(labels);
  if (!parsed.ok) throw fieldProblem(at, parsed.error.message);
}

/** Naming a protected namespace explicitly is refused, rather than silently left out at run time. */
export function checkNotProtected(namespaces: readonly string[], at: string): void {
  for (const [index, namespace] of namespaces.entries()) {
    if (isProtectedNamespace(namespace)) throw fieldProblem(`${at}.${index}`, `"${namespace}": ${PROTECTED_NAMESPACES_RULE}`);
  }
}

export function checkSelection(selection: Selection, at: string): void {
  const { scope, namespaces, excludedNamespaces } = selection;
  checkNotProtected(namespaces, `${at}.namespaces`);
  if (scope === 'SELECTED_NAMESPACES' && namespaces.length === 0) {
    throw fieldProblem(`${at}.namespaces`, 'list at least one namespace when scope is SELECTED_NAMESPACES');
  }
  if (scope !== 'SELECTED_NAMESPACES' && namespaces.length > 0) {
    throw fieldProblem(`${at}.namespaces`, `must be empty when scope is ${scope}`);
  }
  if (scope === 'FULL_CLUSTER_EXCEPT' && excludedNamespaces.length === 0) {
    throw fieldProblem(`${at}.excludedNamespaces`, 'list at least one namespace when scope is FULL_CLUSTER_EXCEPT');
  }
  if (scope !== 'FULL_CLUSTER_EXCEPT' && excludedNamespaces.length > 0) {
    throw fieldProblem(`${at}.excludedNamespaces`, `must be empty when scope is ${scope}`);
  }
  checkLabels(selection.labels, `${at}.labels`);
}

export function checkPersistentVolumes(options: PersistentVolumeOptions, at: string): void {
  const copying = options.mode === 'BACKUP_TO_OBJECT_STORAGE';
  if (!copying && Object.keys(options.methodByStorageClass).length > 0) {
    throw fieldProblem(`${at}.methodByStorageClass`, 'applies to BACKUP_TO_OBJECT_STORAGE only');
  }
  if (copying && !options.snapshotBeforeBackup && !options.backupUnsnapshottedPvs && Object.keys(options.methodByStorageClass).length === 0) {
    throw fieldProblem(
      `${at}.backupUnsnapshottedPvs`,
      'with snapshotBeforeBackup also off and no methodByStorageClass, no PV data would be copied; set mode SNAPSHOT_ONLY or include false instead',
    );
  }
  if (options.snapshotRetentionDays !== null && !(copying && options.preserveSnapshots)) {
    throw fieldProblem(`${at}.snapshotRetentionDays`, 'only applies when mode is BACKUP_TO_OBJECT_STORAGE and preserveSnapshots is true');
  }
}

export function checkCopyOptions(options: CopyOptions, at: string): void {
  if (options.totalConcurrentFiles < options.concurrentPvs) {
    throw fieldProblem(
      `${at}.totalConcurrentFiles`,
      `must be at least concurrentPvs (${options.concurrentPvs}) so every PV copies at least one file at a time`,
    );
  }
}

export function checkTransforms(transforms: Transforms, at: string): void {
  const mapping = transforms.namespaceMapping;
  const renamesByAffix = transforms.namespacePrefix !== '' || transforms.namespaceSuffix !== '';
  if (renamesByAffix && Object.keys(mapping).length > 0) {
    throw fieldProblem(`${at}.namespaceMapping`, 'use either a prefix/suffix or a mapping, not both');
  }
  if (isProtectedNamespace(`${transforms.namespacePrefix}x`)) {
    throw fieldProblem(`${at}.namespacePrefix`, `"${transforms.namespacePrefix}" would rename namespaces into protected ones: ${PROTECTED_NAMESPACES_RULE}`);
  }
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(mapping)) {
    if (isProtectedNamespace(from) || isProtectedNamespace(to)) {
      throw fieldProblem(`${at}.namespaceMapping.${from}`, `"${isProtectedNamespace(from) ? from : to}": ${PROTECTED_NAMESPACES_RULE}`);
    }
    const other = targets.get(to);
    if (other !== undefined) throw fieldProblem(`${at}.namespaceMapping.${from}`, `maps to "${to}" as "${other}" does`);
    targets.set(to, from);
  }
}

/** Where the named namespaces land after the transforms must not be protected either (`ku` + `be-x`). */
export function checkRenamedNotProtected(transforms: Transforms, namespaces: readonly string[], at: string): void {
  for (const namespace of namespaces) {
    const target = renamedNamespace(transforms, namespace);
    if (isProtectedNamespace(target)) throw fieldProblem(at, `namespace "${namespace}" would land in "${target}": ${PROTECTED_NAMESPACES_RULE}`);
  }
}
