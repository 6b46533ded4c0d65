/** Runs `work` over `items` with at most `limit` in flight; rejects with the first failure. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const position = next++;
      results[position] = await work(items[position]!, position);
    }
  });
  await Promise.all(workers);
  return results;
}
