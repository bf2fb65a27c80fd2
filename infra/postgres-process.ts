/**
 * Runs the embedded Postgres as its own process, so the start command can stop it last and on its own
 * signal: Ctrl-C in the terminal reaches only the start command, never this process group.
 * Prints `READY <url>` once it accepts connections; SIGTERM or SIGINT stops Postgres cleanly.
 */
import { EmbeddedPostgresPlacementError } from './embedded-postgres-placement';
import { startEmbeddedPostgres } from './postgres';

async function main(): Promise<void> {
  const [dataDir, port, database] = process.argv.slice(2);
  const log = (line: string) => console.log(line);
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), database, log });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await pg.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`READY ${pg.url}`);
}

main().catch((err) => {
  // A placement error says what to do; anything else keeps its stack for whoever debugs it.
  console.error(`failed: ${err instanceof EmbeddedPostgresPlacementError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
});
