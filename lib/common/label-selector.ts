/**
 * The product's label selection syntax: space-separated terms are ANDed; a term is `key:value` or
 * `key:v1,v2` where the comma-separated values are ORed. `a:b,c x:y` means (a = b OR a = c) AND x = y.
 * OR across different keys cannot be written, so a key may appear in one term only.
 *
 * The parsed form is exactly a Kubernetes label selector of `In` requirements, which is what the
 * export step hands to the kube-apiserver.
 */

export interface LabelRequirement {
  key: string;
  /** Any of these values matches (OR). */
  values: string[];
}

/** All requirements must hold (AND). An empty list selects everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
}

export interface LabelSelectorError {
  /** 1-based character column where the problem starts, for messages a person can act on. */
  column: number;
  message: string;
}

export type LabelSelectorParse = { ok: true; selector: LabelSelector } | { ok: false; error: LabelSelectorError };

const MAX_NAME_LENGTH = 63;
const MAX_PREFIX_LENGTH = 253;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseLabelSelector(text: string): LabelSelectorParse {
  const requirements: LabelRequirement[] = [];
  const seenKeys = new Map<string, number>();
  for (const term of splitTerms(text)) {
    const fail = (offset: number, message: string): LabelSelectorParse => ({
      ok: false,
      error: { column: term.start + offset + 1, message: `column ${term.start + offset + 1}: ${message}` },
    });
    const colon = term.text.indexOf(':');
    if (colon < 0) return fail(0, `"${term.text}" is not key:value (missing ":")`);
    const key = term.text.slice(0, colon);
    const keyProblem = checkKey(key);
    if (keyProblem) return fail(0, keyProblem);
    const previous = seenKeys.get(key);
    if (previous !== undefined) {
      return fail(0, `key "${key}" already used at column ${previous}; list alternatives as ${key}:v1,v2`);
    }
    seenKeys.set(key, term.start + 1);

    const values: string[] = [];
    let offset = colon + 1;
    for (const value of term.text.slice(colon + 1).split(',')) {
      if (value === '') return fail(offset, `empty value for key "${key}"`);
      if (value.length > MAX_NAME_LENGTH) return fail(offset, `value "${value}" is longer than ${MAX_NAME_LENGTH} characters`);
      if (!NAME.test(value)) {
        return fail(offset, `value "${value}" must be letters, digits, "-", "_" or "." and start and end with a letter or digit`);
      }
      if (!values.includes(value)) values.push(value);
      offset += value.length + 1;
    }
    requirements.push({ key, values });
  }
  return { ok: true, selector: { requirements } };
}

function* splitTerms(text: string): Generator<{ text: string; start: number }> {
  const pattern = /\S+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    yield { text: match[0], start: match.index };
  }
}

function checkKey(key: string): string | undefined {
  if (key === '') return 'empty label key';
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > MAX_PREFIX_LENGTH || !DNS_SUBDOMAIN.test(prefix))) {
    return `key prefix "${prefix}" must be a DNS subdomain (lower case, at most ${MAX_PREFIX_LENGTH} characters)`;
  }
  if (name.length > MAX_NAME_LENGTH) return `key name "${name}" is longer than ${MAX_NAME_LENGTH} characters`;
  if (!NAME.test(name)) {
    return `key "${key}" must be letters, digits, "-", "_" or "." and start and end with a letter or digit`;
  }
  return undefined;
}

/** Whether an object's labels satisfy the selector. */
export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every(({ key, values }) => {
    const actual = labels[key];
    return actual !== undefined && values.includes(actual);
  });
}

/** The same selection as a Kubernetes `metav1.LabelSelector`. */
export function toKubernetesSelector(selector: LabelSelector): {
  matchExpressions: { key: string; operator: 'In'; values: string[] }[];
} {
  return { matchExpressions: selector.requirements.map(({ key, values }) => ({ key, operator: 'In', values })) };
}
