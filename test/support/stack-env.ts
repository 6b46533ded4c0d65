/**
 * Reads a variable that `npm run stack -- up` exports. Tests run against the real servers of the local
 * stack, so a missing variable means the test was started outside `npm test`: say how to fix it.
 */
export function stackEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run tests with \`npm test\`, or start the stack with \`npm run stack -- up\` and load .run/stack/env`);
  }
  return value;
}

/** A short random suffix so concurrent test files never collide on names in shared servers. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
