/** The gRPC status a call ended with (0 when it succeeded), wherever the client wrapped it. */
export async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 0;
  } catch (error) {
    for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
      const code = (cause as { code?: unknown }).code;
      if (typeof code === 'number') return code;
    }
    throw error;
  }
}
