import { useState, type FormEvent, type ReactNode } from 'react';
import { answer } from '../use-api.js';
import { clientFor, storeApiKey } from '../session.js';
import { Problem } from './common.js';

/** The key is tried against the API before it is kept, so a typo is said at once. */
export function SignIn({ onSignedIn }: { onSignedIn(apiKey: string): void }): ReactNode {
  const [apiKey, setApiKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      answer(await clientFor(apiKey).GET('/api/v1/users/me'));
      storeApiKey(apiKey);
      onSignedIn(apiKey);
    } catch (error) {
      setProblem(`Signing in failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <main>
      <h1>Sign in to Haven</h1>
      <form onSubmit={(event) => void submit(event)}>
        {problem && <Problem message={problem} />}
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" required value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
        <span className="hint">Kept in this tab only (sessionStorage) until you sign out or close it.</span>
        <div>
          <button type="submit">Sign in</button>
        </div>
      </form>
    </main>
  );
}
