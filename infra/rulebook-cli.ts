/**
 * `npm run rulebook -- publish <file.json> | preview <id> | apply <id> [--wait] [--override <reason>] | status <id>`, against a
 * running API (REGIE_API_URL, default http://localhost:$PORT or 3000) with the admin token from
 * ADMIN_TOKEN or `.data/admin-token`. Every action goes through the API; this file only formats.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface CliIo {
  apiUrl: string;
  token: string;
  out: (line: string) => void;
  /** Where a relative file name is resolved: the caller's directory (npm runs scripts in the package root). */
  cwd: string;
  pollMs?: number;
}

class ApiError extends Error {}

const USAGE = [
  'Gebruik / usage:',
  '  npm run rulebook -- publish <bestand.json>   publiceer een regelboekversie / publish a version',
  '  npm run rulebook -- preview <id> [--json]    proefdraai: welke datums verschuiven / dry run',
  '  npm run rulebook -- apply <id> [--wait] [--override "<reden>"]',
  '                                              pas toe op alle lopende workflows / apply to all;',
  '                                              --override: ook een oudere versie, met de reden / an older version too, with the reason',
  '  npm run rulebook -- status <id> [--json]     voortgang van de uitrol / rollout progress',
].join('\n');

const STATUS_NL: Record<string, string> = {
  starting: 'wordt gestart / starting',
  running: 'bezig / running',
  completed: 'voltooid / completed',
  interrupted: 'onderbroken, opnieuw toepassen hervat de uitrol / interrupted, apply again to resume',
};

/** Left-aligned columns, widths from the longest cell. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

// The API's JSON, as much of it as this file prints.
/* eslint-disable @typescript-eslint/no-explicit-any */
async function call(io: CliIo, method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(`${io.apiUrl}${url}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${io.token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((err) => {
    throw new ApiError(`API niet bereikbaar op ${io.apiUrl} (${err.cause?.code ?? err.cause?.errors?.[0]?.code ?? err.message}); draait npm start? / API not reachable`);
  });
  const json: any = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(`${method} ${url}: ${res.status} ${json.message ?? JSON.stringify(json)}`);
  return json;
}

const ownerKind = (kind: string) => (kind === 'region' ? 'regio' : 'gemeente');

export function formatPreview(p: any): string[] {
  const t = p.totals;
  const lines = [
    `Regelboek ${p.rulebook.id} "${p.rulebook.title}", inwerkingtreding ${p.rulebook.effectiveDate}, hash ${p.rulebook.hash.slice(0, 12)}; vandaag / today ${p.today}`,
    `Eigenaren / owners ${t.owners}, met nieuwe datum / moving ${t.ownersMoving}; stappen / steps ${t.steps}: ` +
      `${t.moved} verschuiven / move, ${t.becomesOverdue} worden te laat / become overdue, ${t.noLongerOverdue} niet meer te laat / no longer overdue`,
    `Houden hun datum / keep their date: ${t.kept.extension} verlenging / extension, ${t.kept.targetDate} streefdatum / target date, ` +
      `${t.kept.closed} afgerond of vervallen / closed, ${t.kept.sameDate} zelfde datum / same date; ` +
      `${t.removed} verdwenen / removed, ${t.alreadyApplied} eigenaren al op deze versie / already applied`,
    '',
  ];
  if (p.moved.length) {
    lines.push(
      ...table(
        ['Soort', 'Code', 'Naam', 'Stap', 'Van / from', 'Naar / to', 'Te laat / overdue'],
        p.moved.map((m: any) => [
          ownerKind(m.owner.kind),
          m.owner.code,
          m.owner.name,
          m.step,
          m.from ?? '-',
          m.to,
          m.becomesOverdue ? 'wordt te laat / becomes overdue' : m.noLongerOverdue ? 'niet meer / no longer' : '',
        ]),
      ),
    );
  } else lines.push('Geen datum verschuift / no date moves.');
  if (p.removed.length) {
    lines.push('', 'Stappen die in deze versie niet meer voorkomen (houden hun datum, krijgen een waarschuwing) / removed steps:');
    lines.push(...table(['Soort', 'Code', 'Naam', 'Stap', 'Status'], p.removed.map((r: any) => [ownerKind(r.owner.kind), r.owner.code, r.owner.name, r.step, r.status])));
  }
  return lines;
}

export function formatProgress(s: any): string[] {
  const lines = [
    `Uitrol / rollout ${s.workflowId}: ${STATUS_NL[s.status] ?? s.status}`,
    `  doelen / targets ${s.total ?? '?'}, toegepast / applied ${s.applied}, mislukt / failed ${s.failed}, open / pending ${s.pending ?? '?'}; ` +
      `${s.changedSteps} datums verschoven / dates moved`,
  ];
  if (s.startedAt) lines.push(`  gestart / started ${s.startedAt}${s.finishedAt ? `, klaar / finished ${s.finishedAt}` : ''}`);
  if (s.failures.length) lines.push('', 'Mislukt / failed:', ...table(['Workflow', 'Fout / error'], s.failures.map((f: any) => [f.workflowId, f.error])));
  if (s.notes.length) lines.push('', 'Opmerkingen / notes:', ...table(['Workflow', 'Opmerking / note'], s.notes.map((n: any) => [n.workflowId, n.note])));
  return lines;
}

/** Runs one command; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, arg, ...flags] = argv;
  const json = flags.includes('--json');
  if (!command || !arg || !['publish', 'preview', 'apply', 'status'].includes(command)) {
    io.out(USAGE);
    return 2;
  }
  if (!io.token) throw new ApiError('geen beheerderstoken: start met npm start (schrijft .data/admin-token) of zet ADMIN_TOKEN / no admin token');
  const id = encodeURIComponent(arg);
  switch (command) {
    case 'publish': {
      const file = path.resolve(io.cwd, arg);
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new ApiError(`${file} is geen leesbaar JSON-bestand / not readable JSON: ${(err as Error).message}`);
      }
      const result = await call(io, 'POST', '/rulebooks', body);
      io.out(`${result.result === 'stored' ? 'Gepubliceerd / published' : 'Al gepubliceerd, ongewijzigd / unchanged'}: ${result.id} (hash ${result.hash.slice(0, 12)})`);
      io.out(`Volgende stap / next: npm run rulebook -- preview ${result.id}`);
      return 0;
    }
    case 'preview': {
      const preview = await call(io, 'GET', `/rulebooks/${id}/preview`);
      (json ? [JSON.stringify(preview, null, 2)] : formatPreview(preview)).forEach((l) => io.out(l));
      return 0;
    }
    case 'status': {
      const progress = await call(io, 'GET', `/rulebooks/${id}/rollout`);
      (json ? [JSON.stringify(progress, null, 2)] : formatProgress(progress)).forEach((l) => io.out(l));
      return 0;
    }
    case 'apply': {
      const at = flags.indexOf('--override');
      const reason = at >= 0 ? flags[at + 1] : undefined;
      if (at >= 0 && (!reason || reason.startsWith('--'))) throw new ApiError('--override vraagt de reden: --override "<reden>" / --override needs the reason');
      const started = await call(io, 'POST', `/rulebooks/${id}/apply`, reason ? { override: true, reason } : undefined);
      io.out(`Uitrol loopt / rollout running: ${started.workflowId} (run ${started.runId})`);
      if (!flags.includes('--wait')) {
        io.out(`Voortgang / progress: npm run rulebook -- status ${arg}`);
        return 0;
      }
      let last = '';
      for (;;) {
        const progress = await call(io, 'GET', `/rulebooks/${id}/rollout`);
        const line = `  ${progress.applied + progress.failed}/${progress.total ?? '?'} verwerkt / processed (${progress.failed} mislukt / failed)`;
        if (line !== last) io.out((last = line));
        if (progress.status === 'completed' || progress.status === 'interrupted') {
          io.out('');
          formatProgress(progress).forEach((l) => io.out(l));
          return progress.status === 'completed' && progress.failed === 0 ? 0 : 1;
        }
        await new Promise((r) => setTimeout(r, io.pollMs ?? 1000));
      }
    }
  }
  return 2;
}

function defaultIo(): CliIo {
  // Compiled to dist/infra, so the repository is two folders up; under ts-node one.
  const root = path.resolve(__dirname, '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');
  const tokenFile = path.join(process.env.REGIE_DATA_DIR ?? path.join(root, '.data'), 'admin-token');
  return {
    apiUrl: process.env.REGIE_API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
    token: process.env.ADMIN_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : ''),
    out: (line) => console.log(line),
    cwd: process.env.INIT_CWD ?? process.cwd(),
  };
}

if (require.main === module) {
  runCli(process.argv.slice(2), defaultIo())
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err) => {
      console.error(`[rulebook] ${err.message}`);
      process.exitCode = 1;
    });
}
