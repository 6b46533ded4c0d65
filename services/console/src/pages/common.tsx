import type { ReactNode } from 'react';

/** Something the API refused or could not answer, announced to screen readers as it appears. */
export function Problem({ message }: { message: string }): ReactNode {
  return <p role="alert">{message}</p>;
}

export function JobStatus({ status }: { status: string }): ReactNode {
  return <span className={`status-${status}`}>{status}</span>;
}

/** A timestamp in the reader's locale; "never" for none. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

/** 1536 → "1.5 KiB". */
export function bytes(count: number | null | undefined): string {
  if (count === null || count === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A table with column headers; rows come as children (each starting with its row header). */
export function Table(props: { columns: string[]; caption?: string; children: ReactNode }): ReactNode {
  return (
    <table>
      {props.caption && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col" key={column}>{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

