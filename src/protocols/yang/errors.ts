/** Where something is in a YANG source file (1-based line and column). */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** An error in a module or in how modules fit together; names the file, line, column and statement. */
export class YangError extends Error {
  readonly loc?: Location;
  readonly statement?: string;
  readonly detail: string;
  constructor(detail: string, loc?: Location, statement?: string) {
    super(formatMessage(detail, loc, statement));
    this.name = 'YangError';
    this.detail = detail;
    this.loc = loc;
    this.statement = statement;
  }
}

function formatMessage(detail: string, loc?: Location, statement?: string): string {
  const where = loc ? `${loc.file}:${loc.line}:${loc.col}: ` : '';
  const what = statement ? ` (in statement "${statement}")` : '';
  return `${where}${detail}${what}`;
}
