declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** A directory to keep the data in (through the `level` module); in memory without one. */
    readonly path?: string;
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
  }

  /** An HTTP server that speaks DynamoDB's API, not yet listening. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
