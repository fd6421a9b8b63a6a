/** Options every command accepts. */
export interface GlobalOptions {
  /** Force colour on or off; default: on a terminal only. */
  color?: boolean;
  /** Only the report and errors: no notes, no progress. */
  quiet?: boolean;
}
