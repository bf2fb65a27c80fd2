import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { hashRulebook, HashedRulebook } from '../../libs/rulebook/rulebook-files';
import { parseRulebook, Rulebook, RulebookStep } from '../../libs/rulebook/rulebook.schema';
import { testRulebookDir } from './paths';

export function defaultRulebook(): Rulebook {
  return parseRulebook(JSON.parse(readFileSync(path.join(testRulebookDir, 'wvrv-2025-07-01.2.json'), 'utf8')), 'default');
}

/**
 * A test version of the default rulebook: the law in force on another date, with only the programme
 * step (optionally with other reminders and rungs), validated and hashed like any other version.
 */
export function testRulebook(
  id: string,
  opts: { effectiveDate: string; reminders?: RulebookStep['reminders']; escalations?: RulebookStep['escalations'] },
): HashedRulebook {
  const base = defaultRulebook();
  const programme = base.steps.find((s) => s.key === 'volkshuisvestingsprogramma')!;
  const step = { ...programme, dependsOn: [], reminders: opts.reminders ?? programme.reminders, escalations: opts.escalations ?? programme.escalations };
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
