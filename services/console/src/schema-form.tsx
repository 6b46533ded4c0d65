import { useId, type ReactNode } from 'react';
import type { FieldError, JsonSchema } from './openapi.js';

/**
 * A form rendered from a request body's JSON schema: every option the API takes, its default and its
 * range come from the schema, so the console holds no second copy of the rules. The value is sparse:
 * only what the user set is sent, and the API applies its own defaults to the rest.
 */
export type FormValue = Record<string, unknown>;

/** Fields that take one of a known set of records (e.g. clusterId), offered as a list by name. */
export type Choices = Record<string, { value: string; label: string }[]>;

interface FieldProps {
  path: string[];
  name: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  onChange(path: string[], value: unknown): void;
  choices: Choices;
  errors: FieldError[];
}

export function SchemaFields(props: { schema: JsonSchema; value: FormValue; onChange(value: FormValue): void; choices?: Choices; errors: FieldError[]; hidden?: string[] }): ReactNode {
  const change = (path: string[], next: unknown) => props.onChange(setAt(props.value, path, next));
  return (
    <ObjectFields
      path={[]}
      schema={props.schema}
      value={props.value}
      onChange={change}
      choices={props.choices ?? {}}
      errors={props.errors}
      hidden={props.hidden ?? []}
    />
  );
}

function ObjectFields(props: { path: string[]; schema: JsonSchema; value: unknown; onChange: FieldProps['onChange']; choices: Choices; errors: FieldError[]; hidden: string[] }): ReactNode {
  const value = (props.value ?? {}) as Record<string, unknown>;
  return Object.entries(props.schema.properties ?? {})
    .filter(([name]) => !props.hidden.includes([...props.path, name].join('.')))
    .map(([name, schema]) => (
      <Field
        key={name}
        path={[...props.path, name]}
        name={name}
        schema={schema}
        required={props.schema.required?.includes(name) ?? false}
        value={value[name]}
        onChange={props.onChange}
        choices={props.choices}
        errors={props.errors}
      />
    ));
}

function Field(props: FieldProps): ReactNode {
  const id = useId();
  const { schema, path } = props;
  const key = path.join('.');
  const types = ([] as string[]).concat(schema.type ?? []);
  const errors = props.errors.filter((e) => e.field === key);
  if (schema.oneOf && schema.discriminator) return <UnionFields {...props} />;
  if (types.includes('object') && schema.properties) {
    return (
      <fieldset>
        <legend>{humanize(props.name)}</legend>
        {schema.description && <span className="hint">{schema.description}</span>}
        <ObjectFields path={path} schema={schema} value={props.value} onChange={props.onChange} choices={props.choices} errors={props.errors} hidden={[]} />
      </fieldset>
    );
  }
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hintId, errors.length > 0 ? errorId : ''].filter(Boolean).join(' ');
  const common = { id, 'aria-describedby': described, 'aria-invalid': errors.length > 0, 'aria-required': props.required, name: key };
  const set = (next: unknown) => props.onChange(path, next);
  let input: ReactNode;
  // Keyed by the full path, or by the field's own name wherever it appears (destination.clusterId → clusterId).
  const options = props.choices[key] ?? props.choices[props.name];
  if (options || schema.enum) {
    const list = options ?? (schema.enum ?? []).map((v) => ({ value: String(v), label: String(v) }));
    input = (
      <select {...common} value={(props.value as string | undefined) ?? ''} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{schema.default === null ? '(none)' : schema.default !== undefined ? `(default: ${String(schema.default)})` : '(choose)'}</option>
        {list.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (types.includes('boolean')) {
    const checked = (props.value as boolean | undefined) ?? (schema.default as boolean | undefined) ?? false;
    input = <input {...common} type="checkbox" checked={checked} onChange={(e) => set(e.target.checked)} />;
  } else if (types.includes('integer') || types.includes('number')) {
    input = (
      <input
        {...common}
        type="number"
        min={schema.minimum}
        max={schema.maximum}
        step={types.includes('integer') ? 1 : 'any'}
        placeholder={schema.default === undefined || schema.default === null ? '' : String(schema.default)}
        value={props.value === undefined || props.value === null ? '' : String(props.value)}
        onChange={(e) => set(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  } else if (types.includes('array') && ([] as string[]).concat(schema.items?.type ?? []).includes('string')) {
    input = (
      <textarea
        {...common}
        rows={3}
        value={((props.value as string[] | undefined) ?? []).join('\n')}
        onChange={(e) => set(e.target.value === '' ? undefined : e.target.value.split('\n').map((line) => line.trim()))}
      />
    );
  } else if (types.includes('object') && typeof schema.additionalProperties === 'object') {
    input = <MapInput common={common} value={props.value as Record<string, string> | undefined} onChange={set} />;
  } else if (types.includes('string')) {
    input = (
      <input
        {...common}
        type="text"
        placeholder={typeof schema.default === 'string' && schema.default !== '' ? schema.default : String(schema.examples?.[0] ?? '')}
        value={(props.value as string | undefined) ?? ''}
        onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  } else {
    input = <JsonInput common={common} value={props.value} onChange={set} />;
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {humanize(props.name)}
        {props.required ? ' (required)' : ''}
      </label>
      {input}
      <span className="hint" id={hintId}>
        {[schema.description, rangeText(schema, types)].filter(Boolean).join(' ')}
      </span>
      {errors.length > 0 && (
        <span className="error" id={errorId}>
          {errors.map((e) => e.reason).join('; ')}
        </span>
      )}
    </div>
  );
}

/**
 * A tagged union (a cloud account's keys or role, an RDS restore's snapshot or point in time): a list of the
 * variants by their tag, then the chosen variant's own fields. Changing the variant starts its fields afresh.
 */
function UnionFields(props: FieldProps): ReactNode {
  const id = useId();
  const tag = props.schema.discriminator!.propertyName;
  const value = (props.value ?? {}) as Record<string, unknown>;
  const variants = (props.schema.oneOf ?? []).map((variant) => ({ tag: String(variant.properties?.[tag]?.enum?.[0] ?? ''), variant }));
  const chosen = variants.find((v) => v.tag === value[tag]);
  const key = props.path.join('.');
  const errors = props.errors.filter((e) => e.field === key || e.field === `${key}.${tag}`);
  const visible = chosen ? { ...chosen.variant, properties: Object.fromEntries(Object.entries(chosen.variant.properties ?? {}).filter(([name]) => name !== tag)) } : undefined;
  return (
    <fieldset>
      <legend>{humanize(props.name)}{props.required ? ' (required)' : ''}</legend>
      <label htmlFor={id}>{humanize(props.name)}: {humanize(tag).toLowerCase()}</label>
      <select id={id} aria-invalid={errors.length > 0} value={chosen?.tag ?? ''} onChange={(e) => props.onChange(props.path, e.target.value === '' ? undefined : { [tag]: e.target.value })}>
        <option value="">(choose)</option>
        {variants.map((v) => (
          <option key={v.tag} value={v.tag}>{v.tag}</option>
        ))}
      </select>
      {chosen?.variant.description && <span className="hint">{chosen.variant.description}</span>}
      {errors.length > 0 && <span className="error">{errors.map((e) => e.reason).join('; ')}</span>}
      {visible && <ObjectFields path={props.path} schema={visible} value={value} onChange={props.onChange} choices={props.choices} errors={props.errors} hidden={[]} />}
    </fieldset>
  );
}

type Common = Record<string, unknown>;

/** key=value, one a line: the map fields (namespace mapping, tags, storage class overrides). */
function MapInput(props: { common: Common; value: Record<string, string> | undefined; onChange(value: unknown): void }): ReactNode {
  const text = Object.entries(props.value ?? {}).map(([k, v]) => `${k}=${v}`).join('\n');
  const parse = (input: string) => {
    const entries = input.split('\n').filter((line) => line.includes('=')).map((line) => line.split('=').map((part) => part.trim()) as [string, string]);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  return <textarea {...props.common} rows={3} defaultValue={text} placeholder="key=value, one a line" onChange={(e) => props.onChange(parse(e.target.value))} />;
}

/** Lists of records (e.g. restore's single volumes): edited as JSON, still validated by the schema. */
function JsonInput(props: { common: Common; value: unknown; onChange(value: unknown): void }): ReactNode {
  return (
    <textarea
      {...props.common}
      rows={3}
      defaultValue={props.value === undefined ? '' : JSON.stringify(props.value)}
      placeholder="JSON"
      onChange={(e) => {
        try {
          props.onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
        } catch {
          props.onChange(e.target.value);
        }
      }}
    />
  );
}

function rangeText(schema: JsonSchema, types: string[]): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) parts.push(`From ${schema.minimum} to ${schema.maximum}.`);
  else if (schema.minimum !== undefined) parts.push(`At least ${schema.minimum}.`);
  if (schema.maxItems !== undefined) parts.push(`At most ${schema.maxItems}, one a line.`);
  if (schema.default !== undefined && !types.includes('object') && !(Array.isArray(schema.default) && schema.default.length === 0) && schema.default !== '') {
    parts.push(`Default: ${schema.default === null ? 'none' : String(schema.default)}.`);
  }
  return parts.join(' ');
}

/** Words kept as written when a property name is spelled out for people. */
const ACRONYMS: Record<string, string> = { pvs: 'PVs', pvcs: 'PVCs', csi: 'CSI', id: 'ID', mib: 'MiB', mbps: 'MB/s' };

/** `persistentVolumes` → "Persistent volumes", `dataMoverMemoryLimitMiB` → "Data mover memory limit MiB". */
export function humanize(name: string): string {
  const words = name
    .replace(/(MiB|MBps)$/, ' $1')
    .replace(/([a-z0-9])([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((word) => ACRONYMS[word.toLowerCase()] ?? word.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A copy of `value` with `path` set (undefined removes it, and empty objects on the way). */
export function setAt(value: FormValue, path: string[], next: unknown): FormValue {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const copy: FormValue = { ...value };
  const child = rest.length === 0 ? next : setAt((copy[head] as FormValue | undefined) ?? {}, rest, next);
  if (child === undefined || (typeof child === 'object' && child !== null && !Array.isArray(child) && Object.keys(child).length === 0)) delete copy[head];
  else copy[head] = child;
  return copy;
}
