/** Prepared statements, each made once per connection and typed by its parameters and row. */
import type BetterSqlite3 from 'better-sqlite3';

export type Statement<P extends unknown[] | {} = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

export class Statements {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly db: BetterSqlite3.Database) {}

  /** The statement of `sql`, prepared on first use; `P` are its parameters, `R` its row. */
  get<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let s = this.cache.get(sql) as Statement<P, R> | undefined;
    if (!s) {
      s = this.db.prepare<P, R>(sql) as Statement<P, R>;
      this.cache.set(sql, s);
    }
    return s;
  }
}

/** The named parameters of a built query: every user value is bound, none spliced into SQL. */
export type QueryParams = Record<string, string | number>;
