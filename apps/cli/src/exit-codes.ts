/**
 * The CLI's exit codes, one meaning each, so scripts can branch on them
 * without parsing output.
 */
export const EXIT = {
  ok: 0,
  /** The API failed, could not be reached, or the order did not end as asked. */
  failure: 1,
  /** Bad arguments, or input the API refused as invalid (400). */
  usage: 2,
  /** No such order (404). */
  notFound: 3,
  /** Duplicate order id, or a change the order refused (409). */
  conflict: 4,
  /** Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Maps an API error status to the exit code a script sees. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400 || status === 422) return EXIT.usage;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failure;
}
