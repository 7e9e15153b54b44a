import type { ReactNode } from 'react';

/** A list of the API as a table: a header per column, a row per item, or what an empty list means. */
export function ListTable<T>({
  items,
  empty,
  columns,
  row,
  caption,
}: {
  items: readonly T[];
  /** what the operator reads when there is nothing */
  empty: ReactNode;
  columns: readonly string[];
  /** one `<tr>` with its key */
  row: (item: T) => ReactNode;
  caption?: string;
}) {
  if (items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table>
      {caption !== undefined && <caption className="muted">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{items.map(row)}</tbody>
    </table>
  );
}
