import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiProblem } from '../../../../lib/client/client.js';
import { requestSchema, validate, type FieldError, type JsonSchema } from '../openapi.js';
import { SchemaFields, type Choices, type FormValue } from '../schema-form.js';
import { Problem } from './common.js';

/**
 * One wizard step: the body of an API operation as a form from the operation's schema, checked with it
 * before sending, and the API's own answer (its problem, field by field) shown when it refuses.
 */
export function BodyForm(props: {
  path: string;
  method: string;
  submitLabel: string;
  initial?: FormValue;
  choices?: Choices;
  hidden?: string[];
  submit(body: FormValue): Promise<void>;
}): ReactNode {
  const [schema, setSchema] = useState<JsonSchema | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [value, setValue] = useState<FormValue>(props.initial ?? {});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    requestSchema(props.path, props.method).then(setSchema, (error: unknown) => setLoadError(String(error)));
  }, [props.path, props.method]);
  if (loadError) return <Problem message={loadError} />;
  if (!schema) return <p>Loading the API&apos;s options…</p>;
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(schema, value);
    setErrors(found);
    setProblem(found.length > 0 ? `${found.length} field(s) need attention: ${found.map((e) => `${e.field || 'body'}: ${e.reason}`).join('; ')}` : null);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await props.submit(value);
    } catch (error) {
      if (error instanceof ApiProblem) setErrors((error.problem?.errors ?? []).map((e) => ({ field: e.field.replace(/^body\.?/, ''), reason: e.reason })));
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate>
      {problem && <Problem message={problem} />}
      <SchemaFields schema={schema} value={value} onChange={setValue} choices={props.choices ?? {}} errors={errors} hidden={props.hidden ?? []} />
      <button type="submit" disabled={busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}
