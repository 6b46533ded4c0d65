const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const decimal: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** Bytes in a Kubernetes quantity such as `1Gi`, `500M` or `1048576`. */
export function parseQuantity(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  if (typeof quantity === 'number') return quantity;
  const match = /^([0-9.]+)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(quantity.trim());
  if (!match) throw new Error(`unsupported quantity: ${quantity}`);
  const unit = match[2] ?? '';
  return Math.ceil(Number(match[1]) * (binary[unit] ?? decimal[unit] ?? 1));
}

/** The canonical form the API server prints for a byte count (`1Gi`, or plain bytes when not exact). */
export function formatQuantity(bytes: number): string {
  for (const unit of ['Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = binary[unit] as number;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
