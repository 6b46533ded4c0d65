export type Budgeted<T> = { finished: true; value: T } | { finished: false };

/**
 * Runs `work` with a signal that aborts at the budget or when `cancellation` does, and returns by the budget
 * at the latest. Work still inside a storage request then finishes in the background, within that request's
 * own deadline, and stops at its next check of the signal; its outcome is dropped.
 */
export async function withinBudget<T>(budgetMs: number, cancellation: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<Budgeted<T>> {
  const budget = new AbortController();
  let expire: () => void = () => undefined;
  const spent = new Promise<Budgeted<T>>((resolve) => {
    expire = () => resolve({ finished: false });
  });
  const timer = setTimeout(() => {
    budget.abort(new Error(`the maintenance budget of ${Math.round(budgetMs / 1000)} s is spent`));
    expire();
  }, budgetMs);
  const running = work(AbortSignal.any([cancellation, budget.signal]));
  try {
    return await Promise.race([running.then((value): Budgeted<T> => ({ finished: true, value })), spent]);
  } finally {
    clearTimeout(timer);
    running.catch(() => undefined);
  }
}
