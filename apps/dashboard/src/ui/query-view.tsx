import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorText } from '../api/api-error';

/** A query's answer, or what stands in its place: loading, or the API's refusal in its own words. */
export function QueryView<T>({ query, children, what }: { query: UseQueryResult<T>; children: (data: T) => ReactNode; what: string }) {
  if (query.isPending) return <p className="muted">Loading {what}…</p>;
  if (query.isError)
    return (
      <p role="alert" className="error">
        Could not load {what}: {errorText(query.error)}
      </p>
    );
  return <>{children(query.data)}</>;
}
