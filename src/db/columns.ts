/**
 * One column of rows, for a set-based statement that takes each column as an array parameter
 * (`INSERT ... SELECT ... FROM unnest($1::uuid[], $2::text[], ...)`): a few parameters whatever
 * the number of rows, and one plan. Dates go as ISO text, which both engines read as timestamptz.
 */
export function column<T, K extends keyof T>(rows: T[], key: K): (T[K] extends Date ? string : T[K])[] {
  return rows.map((r) => {
    const value = r[key];
    return (value instanceof Date ? value.toISOString() : value) as T[K] extends Date ? string : T[K];
  });
}
