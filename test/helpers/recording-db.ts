import type { Queryable } from "../../src/store/database.ts";

/** The database, with every statement sent through it also pushed onto `statements`. */
export function recordingStatements(db: Queryable, statements: string[]): Queryable {
  return {
    query: (sql, params) => {
      statements.push(sql);
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };
}
