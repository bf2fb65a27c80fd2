import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { hashRulebook, HashedRulebook } from '../../libs/rulebook/rulebook-files';
import { parseRulebook, Rulebook, RulebookStep } from '../../libs/rulebook/rulebook.schema';
import { addYears } from '../../libs/calendar';
import { testRulebookDir } from './paths';

/** A shipped version, read and validated as the API reads it. */
export function shippedRulebook(id: string): Rulebook {
  return parseRulebook(JSON.parse(readFileSync(path.join(testRulebookDir, `${id}.json`), 'utf8')), id);
}

/** The version the workflow tests were written against (old format: the format running workflows still hold). */
export function defaultRulebook(): Rulebook {
  return shippedRulebook('wvrv-2025-07-01.2');
}

/**
 * A test version of the default rulebook: the law in force on another date, with only the programme
 * step (optionally with other reminders and rungs), validated and hashed like any other version. The
 * programme is due "uiterlijk" two years after the effective date, a fixed date in a formal law that the
 * version reads as the end of a term: on a weekend it moves to the next working day (Atw art. 1 lid 1),
 * which these tests exercise (a term *in years* would never move, art. 4 onder a).
 */
export function testRulebook(
  id: string,
  opts: { effectiveDate: string; reminders?: RulebookStep['reminders']; escalations?: RulebookStep['escalations'] },
): HashedRulebook {
  const base = shippedRulebook('wvrv-2025-07-01.3');
  const programme = base.steps.find((s) => s.key === 'volkshuisvestingsprogramma')!;
  const step: RulebookStep = {
    ...programme,
    dependsOn: [],
    date: {
      kind: 'fixed-date',
      date: addYears(opts.effectiveDate, 2),
      wording: 'uiterlijk',
      source: { level: 'formal-law', citation: 'testwet', verified: true },
      reading: { applies: true, reason: 'de vaste datum werkt als einde van een termijn' },
    },
    reminders: opts.reminders ?? programme.reminders,
    escalations: opts.escalations ?? programme.escalations,
  };
  return hashRulebook(parseRulebook({ ...base, id, effectiveDate: opts.effectiveDate, steps: [step] }, id));
}

/** A version of the default rulebook with only the named steps (dependencies outside them dropped). */
export function rulebookWithSteps(id: string, keys: string[], changes: Partial<Rulebook> = {}): HashedRulebook {
  const base = defaultRulebook();
  const steps = base.steps
    .filter((s) => keys.includes(s.key))
    .map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => keys.includes(d)) }));
  return hashRulebook(parseRulebook({ ...base, ...changes, id, steps }, id));
}
