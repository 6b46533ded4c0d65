/**
 * Lookups in the name-keyed records a request carries (namespace and storage-class mappings). Kubernetes
 * names include `constructor`, which a plain `record[name]` finds on Object.prototype (a function, not a
 * mapping): only the record's own entries count. Found by test/restore/transforms.property.test.ts.
 */
export function mappedName(mapping: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(mapping, name) ? mapping[name] : undefined;
}
