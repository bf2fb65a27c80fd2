/**
 * What a rulebook version would do to the mail, for its page (`/app/rulebooks/:id`): the load as it stands
 * and with the version applied to every owner now, as a rollout would, over the next years, with the chart
 * of both. Pure: the caller reads the input (`readSimulationInput`) and passes the clock.
 */
import { addYears, amsterdamWallTimeToUtc, formatDutchDate, utcToAmsterdamDate } from '../calendar';
import type { Language } from '../contracts';
import type { HashedRulebook } from '../rulebook/rulebook-files';
import { mailsPerWeekSvg } from './chart';
import { simulate, SimulationInput } from './simulate';
import { compareLoads, LoadComparison, LoadSummary, summarise } from './summary';

export interface RulebookLoad {
  /** The chart: mails per week as things stand (bars) and with this version applied now (line). */
  svg: string;
  before: LoadSummary;
  after: LoadSummary;
  comparison: LoadComparison;
}

export function rulebookLoad(
  input: Omit<SimulationInput, 'from' | 'until' | 'apply'>,
  version: HashedRulebook,
  now: number,
  opts: { years?: number; language?: Language } = {},
): RulebookLoad {
  const language = opts.language ?? 'nl';
  const today = utcToAmsterdamDate(now);
  const until = amsterdamWallTimeToUtc(addYears(today, opts.years ?? 5), '00:00');
  const before = summarise(simulate({ ...input, from: now, until }), now, until);
  const after = summarise(simulate({ ...input, from: now, until, apply: version }), now, until);
  const words =
    language === 'nl'
      ? { title: `Mails per week, vanaf ${formatDutchDate(today)}`, now: 'zoals het nu staat', applied: `met ${version.rulebook.id}, vandaag toegepast` }
      : { title: `Mails per week, from ${today}`, now: 'as things stand', applied: `with ${version.rulebook.id} applied today` };
  const svg = mailsPerWeekSvg({ title: words.title, series: { label: words.now, weeks: before.perWeek }, compare: { label: words.applied, weeks: after.perWeek }, language });
  return { svg, before, after, comparison: compareLoads(before, after) };
}
