const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

/** Bytes of a Kubernetes quantity (`1Gi`, `500M`, `1073741824`); 0 when absent or not a size. */
export function quantityBytes(quantity: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([kMGTP]i?|)$/.exec(quantity?.trim() ?? '');
  if (!match) return 0;
  return Math.round(Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? 0));
}
