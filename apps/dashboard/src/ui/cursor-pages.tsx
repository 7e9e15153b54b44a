import { useCallback, useMemo, useState } from 'react';

/** Where a list is in the API's cursor pages: the cursors that led here, so "Previous page" can go back. */
export interface CursorPages {
  /** the cursor of the page shown; undefined on the first page */
  cursor: string | undefined;
  /** 1 on the first page */
  page: number;
  next: (nextCursor: string) => void;
  previous: () => void;
  first: () => void;
}

/** The cursors a list walked through (docs/api.md: pass `nextCursor` back as `cursor`). */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<readonly string[]>([]);
  const next = useCallback((nextCursor: string) => setCursors((previous) => [...previous, nextCursor]), []);
  const previous = useCallback(() => setCursors((before) => before.slice(0, -1)), []);
  const first = useCallback(() => setCursors([]), []);
  return useMemo(() => ({ cursor: cursors.at(-1), page: cursors.length + 1, next, previous, first }), [cursors, next, previous, first]);
}

/** First, previous and next page of a cursor-paged list; `label` names the list for screen readers. */
export function CursorPager({ pages, nextCursor, label }: { pages: CursorPages; nextCursor: string | null | undefined; label: string }) {
  const onFirst = pages.page === 1;
  return (
    <nav className="toolbar" aria-label={`${label} pages`}>
      <button type="button" className="secondary" onClick={pages.first} disabled={onFirst}>
        First page
      </button>
      <button type="button" className="secondary" onClick={pages.previous} disabled={onFirst}>
        Previous page
      </button>
      <span className="muted">Page {pages.page}</span>
      <button
        type="button"
        className="secondary"
        onClick={() => nextCursor && pages.next(nextCursor)}
        disabled={nextCursor === null || nextCursor === undefined}
      >
        Next page
      </button>
    </nav>
  );
}
