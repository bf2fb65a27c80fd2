/**
 * `npm run simulate -- [--synthetic] [--from YYYY-MM-DD] [--years N] [--rulebook <id>] [--base <id>] [--out <dir>]`:
 * every reminder, deadline and rung that will fire, and the mails they bring, per day, week, role and
 * province, computed by the step model itself with a simulated clock (libs/simulation), no engine.
 *
 * Input: the database of a running system (DATABASE_URL, or the embedded Postgres of `npm start` at
 * 127.0.0.1:5433): its onboarded owners, their histories, contacts and preferences. Without one (or with
 * `--synthetic`): all municipalities and regions of the reference data onboarded at the period's start under
 * the default rulebook, with made-up contacts. `--rulebook <id>` runs again with that version applied to
 * every owner at the start, as a rollout would, and prints the difference. This file only reads and prints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { addDays, addYears, amsterdamWallTimeToUtc, formatDutchDate, IsoDate, parseIsoDate, utcToAmsterdamDate } from '../libs/calendar';
import { createDataSource } from '../libs/db/data-source';
import { readReferenceData } from '../libs/db/reference-data';
import { HashedRulebook, readRulebookDir } from '../libs/rulebook/rulebook-files';
import { mailsPerWeekSvg } from '../libs/simulation/chart';
import { readSimulationInput } from '../libs/simulation/read-input';
import { simulate, SimulationInput } from '../libs/simulation/simulate';
import { compareLoads, LoadSummary, summarise } from '../libs/simulation/summary';
import { SYNTHETIC_CONTACTS, syntheticInput } from '../libs/simulation/synthetic';
import { table } from './rulebook-cli';

// Compiled to dist/infra, so the repository is two folders up; under ts-node one.
const root = path.resolve(__dirname, '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');
const env = process.env;
const DEFAULT_RULEBOOK = env.DEFAULT_RULEBOOK_ID ?? 'wvrv-2025-07-01.3';
const USAGE = [
  'Gebruik / usage: npm run simulate -- [opties / options]',
  '  --synthetic          zonder database: alle gemeenten en regio\'s met verzonnen contacten / without a database',
  '  --from YYYY-MM-DD    begin van de periode (standaard vandaag) / start of the period (default today)',
  '  --years N            lengte in jaren (standaard 5) / length in years (default 5)',
  '  --rulebook <id>      vergelijk: deze versie bij het begin toegepast / compare: this version applied at the start',
  '  --base <id>          synthetisch: aangemeld onder deze versie (standaard de standaardversie) / synthetic: onboarded under',
  '  --out <map>          waar de grafiek komt (standaard .data/simulation) / where the chart goes',
].join('\n');

interface Options {
  synthetic: boolean;
  from: IsoDate;
  years: number;
  rulebook?: string;
  base: string;
  out: string;
}

function parseArgs(args: string[]): Options {
  const options: Options = { synthetic: false, from: utcToAmsterdamDate(Date.now()), years: 5, base: DEFAULT_RULEBOOK, out: path.join(env.REGIE_DATA_DIR ?? path.join(root, '.data'), 'simulation') };
  for (let i = 0; i < args.length; i++) {
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${args[i - 1]} mist een waarde / needs a value\n${USAGE}`);
      return v;
    };
    switch (args[i]) {
      case '--synthetic':
        options.synthetic = true;
        break;
      case '--from':
        options.from = parseIsoDate(value());
        break;
      case '--years': {
        const years = Number(value());
        if (!Number.isInteger(years) || years < 1 || years > 30) throw new Error('--years moet 1 tot 30 zijn / must be 1 to 30');
        options.years = years;
        break;
      }
      case '--rulebook':
        options.rulebook = value();
        break;
      case '--base':
        options.base = value();
        break;
      case '--out':
        options.out = path.resolve(env.INIT_CWD ?? process.cwd(), value());
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
      // falls through (process.exit does not return)
      default:
        throw new Error(`onbekende optie / unknown option ${args[i]}\n${USAGE}`);
    }
  }
  return options;
}

const n = (v: number) => v.toLocaleString('nl-NL');
const ms = (v: number) => `${v.toFixed(0)} ms`;
const day = (d: IsoDate) => formatDutchDate(d);

/** The input, and a line saying which it is. */
async function loadInput(options: Options, from: number): Promise<{ input: Omit<SimulationInput, 'from' | 'until'>; described: string[]; rulebooks: Map<string, HashedRulebook>; provinces: Map<string, string> }> {
  const shipped = new Map(readRulebookDir(env.RULEBOOK_DIR ?? path.join(root, 'libs', 'rulebook', 'versions')).map((r) => [r.rulebook.id, r]));
  const grouping = env.REGION_GROUPING ?? 'corop';
  const databaseUrl = env.DATABASE_URL ?? `postgres://regie:regie-local@127.0.0.1:${env.REGIE_POSTGRES_PORT ?? 5433}/regie`;
  const where = (() => {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  })();
  let why = 'gevraagd met --synthetic / asked for with --synthetic';
  if (!options.synthetic) {
    const db = createDataSource(databaseUrl, 'regie-simulate');
    try {
      await db.initialize();
      const stored = await readSimulationInput(db, grouping);
      if (stored.owners.length) {
        const rulebooks = new Map([...shipped, ...stored.rulebooks]);
        const municipalities = stored.owners.filter((o) => o.input.owner.kind === 'municipality').length;
        const described = [
          `Invoer / input: de database op ${where}: ${municipalities} gemeenten en ${stored.owners.length - municipalities} regio's aangemeld, ` +
            `${stored.updates} updates uit hun geschiedenis, ${stored.candidates.length} adressen, ${stored.preferences.size} voorkeuren (regio-indeling ${grouping})`,
          ...stored.skipped.map((s) => `  overgeslagen / skipped: ${s}`),
        ];
        return { input: stored, described, rulebooks, provinces: provincesOf(stored.owners) };
      }
      why = `niemand aangemeld in de database op ${where} / no one onboarded there`;
    } catch (err) {
      why = `geen database op ${where} (${(err as Error).message.split('\n')[0]}) / no database there`;
    } finally {
      if (db.isInitialized) await db.destroy();
    }
  }
  const base = shipped.get(options.base);
  if (!base) throw new Error(`regelboek ${options.base} niet gevonden in libs/rulebook/versions / rulebook not found`);
  const ref = readReferenceData(env.REFERENCE_DATA_DIR ?? path.join(root, '..', 'shared', 'domain'));
  const input = syntheticInput(ref, base, from, grouping);
  return {
    input,
    described: [
      `Invoer / input: synthetisch (${why}): alle ${ref.municipalities.length} gemeenten en ${input.owners.length - ref.municipalities.length} regio's aangemeld op ${day(options.from)} onder ${base.rulebook.id};`,
      `  ${SYNTHETIC_CONTACTS}`,
    ],
    rulebooks: shipped,
    provinces: new Map(ref.provinces.map((p) => [p.code, p.name])),
  };
}

function provincesOf(owners: SimulationInput['owners']): Map<string, string> {
  return new Map(owners.filter((o) => o.input.owner.provinceCode).map((o) => [o.input.owner.provinceCode!, o.input.owner.provinceName ?? o.input.owner.provinceCode!]));
}

function printSummary(s: LoadSummary, provinces: Map<string, string>): void {
  console.log(`Mails bij de SMTP-server / mails at the SMTP server: ${n(s.mails)} (${n(s.deliveries.immediate)} direct, ${n(s.digests)} weekoverzichten met ${n(s.deliveries.digest)} meldingen / digests)`);
  console.log(
    `Meldingen / notifications: ${n(s.notifications)} (${n(s.withoutRecipients)} zonder ontvanger / no recipient); ` +
      `afgemeld / unsubscribed ${n(s.deliveries.unsubscribed)}, ingehaald / overtaken ${n(s.deliveries.cancelled)}, weekoverzicht na de periode / digest after the period ${n(s.deliveries.afterPeriod)}; ` +
      `termijnen verstreken / deadlines passed ${n(s.deadlines)}`,
  );
  console.log(`Piekweek / peak week: ${s.peakWeek ? `week van ${day(s.peakWeek.week)}: ${n(s.peakWeek.mails)} mails` : 'geen / none'}`);
  console.log('Drukste dagen / busiest days:');
  for (const line of table(['#', 'Dag / day', 'Mails'], s.busiestDays.map((d, i) => [String(i + 1), day(d.day), n(d.mails)]))) console.log(`  ${line}`);
  console.log('Per rol / per role:');
  for (const line of table(['Rol / role', 'Mails'], Object.entries(s.perRole).sort(([, a], [, b]) => b - a).map(([role, mails]) => [role, n(mails)]))) console.log(`  ${line}`);
  console.log('Per provincie / per province:');
  for (const line of table(['Provincie', 'Mails'], s.perProvince.map((p) => [`${provinces.get(p.code) ?? p.code} (${p.code})`, n(p.mails)]))) console.log(`  ${line}`);
  console.log(`Per soort / per kind: ${Object.entries(s.perKind).map(([kind, mails]) => `${kind} ${n(mails)}`).join(', ')}`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const from = amsterdamWallTimeToUtc(options.from, '00:00');
  const untilDay = addYears(options.from, options.years);
  const until = amsterdamWallTimeToUtc(untilDay, '00:00');
  const { input, described, rulebooks, provinces } = await loadInput(options, from);
  const alternative = options.rulebook ? rulebooks.get(options.rulebook) : undefined;
  if (options.rulebook && !alternative) throw new Error(`regelboek ${options.rulebook} niet gevonden (database of libs/rulebook/versions) / rulebook not found`);

  console.log('Regie: de belasting vooraf / the load ahead');
  for (const line of described) console.log(line);
  console.log(`Periode / period: ${day(options.from)} t/m ${day(addDays(untilDay, -1))} (${options.years} jaar / years)`);

  const run = (apply?: HashedRulebook) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = simulate({ ...input, from, until, apply });
    const simulated = performance.now();
    const cpuMs = process.cpuUsage(cpu).user / 1000;
    const summary = summarise(result, from, until);
    return { result, summary, simulateMs: simulated - started, cpuMs, summaryMs: performance.now() - simulated };
  };
  const before = run();
  console.log(
    `Rekentijd / computation: ${ms(before.simulateMs)} (processor / CPU ${ms(before.cpuMs)}) voor de simulatie van ${n(input.owners.length)} eigenaren / to simulate ${n(input.owners.length)} owners ` +
      `(zuiver, zonder engine of database / pure, no engine or database), ${ms(before.summaryMs)} voor de samenvatting / for the summary`,
  );
  if (before.result.refusedUpdates) console.log(`  ${before.result.refusedUpdates} updates uit de geschiedenis door het model geweigerd / refused by the model`);
  console.log('');
  printSummary(before.summary, provinces);

  mkdirSync(options.out, { recursive: true });
  const chart = path.join(options.out, 'mails-per-week.svg');
  const label = `${input.owners[0]?.input.rulebook.id ?? options.base}`;
  writeFileSync(chart, mailsPerWeekSvg({ title: `Mails per week, ${day(options.from)} – ${day(addDays(untilDay, -1))}`, series: { label, weeks: before.summary.perWeek } }));
  console.log(`\nGrafiek / chart: ${chart}`);

  if (!alternative) return;
  const after = run(alternative);
  const c = compareLoads(before.summary, after.summary);
  const diff = (a: number, b: number) => `${n(a)} → ${n(b)} (${b - a >= 0 ? '+' : ''}${n(b - a)})`;
  console.log(`\nMet regelboek ${alternative.rulebook.id}, toegepast op ${day(options.from)} op iedereen / applied to everyone at the start (${ms(after.simulateMs)}):`);
  console.log(`  Mails: ${diff(c.mails.before, c.mails.after)}`);
  console.log(
    `  Piekweek / peak week: ${c.peakWeek.before ? `${day(c.peakWeek.before.week)} (${n(c.peakWeek.before.mails)})` : '–'} → ${c.peakWeek.after ? `${day(c.peakWeek.after.week)} (${n(c.peakWeek.after.mails)})` : '–'}`,
  );
  console.log(`  Weken met een ander aantal / weeks that change: ${c.weeks.length}; de grootste / the largest:`);
  const largest = [...c.weeks].sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || (a.week < b.week ? -1 : 1)).slice(0, 10);
  for (const line of table(['Week van / of', 'Voor / before', 'Na / after', 'Verschil'], largest.map((w) => [day(w.week), n(w.before), n(w.after), `${w.after - w.before >= 0 ? '+' : ''}${n(w.after - w.before)}`]))) console.log(`    ${line}`);
  console.log(`  Drukste dagen die veranderen / busiest days that change (de tien drukste van voor of na / the ten busiest before or after): ${c.busiestDays.changed.length}`);
  for (const line of table(['Dag / day', 'Voor / before', 'Na / after'], c.busiestDays.changed.map((d) => [day(d.day), n(d.before), n(d.after)]))) console.log(`    ${line}`);
  console.log(`  Drukste dag na / busiest day after: ${c.busiestDays.after[0] ? `${day(c.busiestDays.after[0].day)} (${n(c.busiestDays.after[0].mails)})` : '–'}`);
  console.log('  Per rol / per role:');
  for (const line of table(['Rol / role', 'Voor → na / before → after'], c.perRole.map((r) => [r.role, diff(r.before, r.after)]))) console.log(`    ${line}`);
  console.log(`  Per soort / per kind: ${c.perKind.map((k) => `${k.kind} ${diff(k.before, k.after)}`).join(', ')}`);
  const compared = path.join(options.out, `mails-per-week-${alternative.rulebook.id}.svg`);
  writeFileSync(
    compared,
    mailsPerWeekSvg({
      title: `Mails per week: ${label} en ${alternative.rulebook.id}`,
      series: { label, weeks: before.summary.perWeek },
      compare: { label: `${alternative.rulebook.id} (toegepast op ${day(options.from)})`, weeks: after.summary.perWeek },
    }),
  );
  console.log(`\nGrafiek / chart: ${compared}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[simulate] ${err.message}`);
    process.exit(1);
  });
}
