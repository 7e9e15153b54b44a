import { useState, type FormEvent } from 'react';
import { errorText } from '../../api/api-error';
import { useSignIn } from '../../session/session';

/** Paste the admin key (everything) or an agent key (that agent's read-only view). */
export function SignInScreen() {
  const signIn = useSignIn();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>MNEE Nexus</h1>
      <p>The operator&apos;s console. Paste the admin key, or an agent key for that agent&apos;s own read-only view.</p>
      <form onSubmit={submit}>
        <label htmlFor="login-key">API key</label>
        <input
          id="login-key"
          data-testid="login-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          required
        />
        <button type="submit" data-testid="login-submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== null && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <p className="hint">The key stays in this tab only (sessionStorage) and is sent in the Authorization header, never in a URL.</p>
    </main>
  );
}
