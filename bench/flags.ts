/** A benchmark's `--name value` flag, or undefined when it is not given. */
export function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

/** A numeric `--name value` flag, or `fallback` when it is not given. */
export function numberFlag(args: string[], name: string, fallback: number): number {
  const value = flag(args, name);
  return value === undefined ? fallback : Number(value);
}
