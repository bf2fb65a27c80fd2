import { z } from 'zod';
import { daysInMonth, FIXED_DATE_WORDINGS, SOURCE_LEVELS, TERM_DIRECTIONS, TERM_SUBJECTS, TERM_UNITS } from '../calendar';
import { OWNER_KINDS, ROLES } from '../contracts/enums';

/**
 * The statute as versioned data. Shipped versions are JSON files in `versions/`; an operator's versions
 * are stored in Postgres. Workflows receive a version as data and never import it as code, so this
 * module (which pulls in zod) is for the API and activities only; workflows use `import type`.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM');
const key = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

export const roleSchema = z.enum(ROLES);

const legalBasisSchema = z.object({
  citation: z.string().min(1),
  /** false where the domain brief says the article was not verified. */
  verified: z.boolean(),
});

/** Where a date is set, at which level (Atw art. 1 and 5 reach a formal law and an AMvB only). */
const dateSourceSchema = z.object({
  level: z.enum(SOURCE_LEVELS),
  citation: z.string().min(1),
  verified: z.boolean(),
  /** Why it is unverified, or which sources differ. */
  note: z.string().min(1).optional(),
});

/** A reading of the rulebook: whether the Atw applies where the statute leaves it open, and why. */
const atwReadingSchema = z.object({ applies: z.boolean(), reason: z.string().min(1) });

const wordingSchema = z.enum(FIXED_DATE_WORDINGS);

/**
 * A step's date. The first three kinds are the format of the first releases (`applyTermijnenwet` beside
 * them); they still parse unchanged, so their stored hashes stay. Versions from .3 on phrase a date as the
 * statute does: a term from an event, or a fixed calendar date, with its source's level.
 */
const dateRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('statutory-term'),
    /** The term: the law's effective date plus a number of years. */
    rule: z.object({ type: z.literal('effective-date-plus'), years: z.number().int().min(0).max(20) }),
  }),
  z.object({
    kind: z.literal('yearly'),
    /** The last timely day of each yearly cycle, e.g. 30 June for the corporation's bid. */
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
    source: z.string().min(1),
    /** false where the brief could not verify the source of the date. */
    verified: z.boolean(),
  }),
  /** A streefdatum the municipality or region sets: drives reminders, is no statutory term. */
  z.object({ kind: z.literal('target') }),
  /** "binnen twee jaar na inwerkingtreding": N units counted from the effective date. */
  z.object({
    kind: z.literal('term'),
    amount: z.number().int().min(1).max(1000),
    unit: z.enum(TERM_UNITS),
    from: z.literal('effective-date'),
    /** Absent: counted forward ("na"); 'before' counts back from the moment (Atw art. 1 lid 2). */
    direction: z.enum(TERM_DIRECTIONS).optional(),
    /** Atw art. 4 onder b and c; absent: a general term. */
    subject: z.enum(TERM_SUBJECTS).optional(),
    source: dateSourceSchema,
    /** Only to override the statute's own answer, with the reason: shown as a reading. */
    reading: atwReadingSchema.optional(),
  }),
  /** "uiterlijk 1 januari 2028" (that day is the last) or "vóór 1 juli 2027" (the day before is). */
  z.object({ kind: z.literal('fixed-date'), date: isoDate, wording: wordingSchema, source: dateSourceSchema, reading: atwReadingSchema }),
  /** The same calendar date every year ("vóór 1 juli", "uiterlijk 15 december"): one instance per cycle. */
  z.object({
    kind: z.literal('yearly-date'),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
    wording: wordingSchema,
    source: dateSourceSchema,
    reading: atwReadingSchema,
  }),
]);

/** `mandatory`: the notice may not be unsubscribed (a verplichte melding: project policy, never "wettelijk"). Old versions call it `statutory`. */
const mandatoryFlag = { mandatory: z.boolean().optional(), statutory: z.boolean().optional() };

const reminderSchema = z.object({
  offsetDays: z.number().int().min(0).max(730),
  roles: z.array(roleSchema).min(1),
  ...mandatoryFlag,
});

const escalationSchema = z.object({
  rung: z.number().int().min(1),
  /** Days after the due date; the first rung (0) is the first working day after it. */
  offsetDays: z.number().int().min(0).max(730),
  roles: z.array(roleSchema).min(1),
  ...mandatoryFlag,
});

const checklistItemSchema = z.object({
  key,
  nl: z.string().min(1),
  en: z.string().min(1),
  /** Where the item comes from (e.g. the statute's article), and whether that was verified. */
  source: z.string().min(1).optional(),
  verified: z.boolean().optional(),
});

/** The old format's dated kinds carry `applyTermijnenwet`; the statute's kinds must not (a target date may, as old files do). */
const OLD_DATE_KINDS = ['statutory-term', 'yearly'];
const STATUTE_DATE_KINDS = ['term', 'fixed-date', 'yearly-date'];

export const stepSchema = z
  .object({
    key,
    /**
     * The statutory step this belongs to (1-6 in the domain brief); step 6 has two yearly deadlines.
     * Optional: versions published before this field existed must still read (stored versions never change).
     */
    number: z.number().int().min(1).max(6).optional(),
    nameNl: z.string().min(1),
    nameEn: z.string().min(1),
    legalBasis: legalBasisSchema,
    scope: z.enum(OWNER_KINDS),
    dependsOn: z.array(key),
    date: dateRuleSchema,
    /** Old format only: whether the Atw shift applies. Newer versions say it with `date.source` and `date.reading`. */
    applyTermijnenwet: z.boolean().optional(),
    checklist: z.array(checklistItemSchema),
    reminders: z.array(reminderSchema),
    escalations: z.array(escalationSchema),
  })
  .superRefine((step, ctx) => {
    if (OLD_DATE_KINDS.includes(step.date.kind) && step.applyTermijnenwet === undefined) {
      ctx.addIssue({ code: 'custom', path: ['applyTermijnenwet'], message: `is required with date kind ${step.date.kind}` });
    }
    if (STATUTE_DATE_KINDS.includes(step.date.kind) && step.applyTermijnenwet !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['applyTermijnenwet'], message: 'is not used with this date kind: its source level and reading decide' });
    }
    const statute = STATUTE_DATE_KINDS.includes(step.date.kind);
    [...step.reminders.map((r, i) => ['reminders', i, r] as const), ...step.escalations.map((e, i) => ['escalations', i, e] as const)].forEach(([list, i, item]) => {
      if (statute ? item.mandatory === undefined || item.statutory !== undefined : (item.mandatory === undefined) === (item.statutory === undefined)) {
        const message = statute ? 'is required (statutory is the old name, not used with this date kind)' : 'set exactly one of mandatory (or, in old versions, statutory)';
        ctx.addIssue({ code: 'custom', path: [list, i, 'mandatory'], message });
      }
    });
    // A yearly date must exist every year (so not 29 February).
    if ((step.date.kind === 'yearly' || step.date.kind === 'yearly-date') && step.date.day > daysInMonth(2001, step.date.month)) {
      ctx.addIssue({ code: 'custom', path: ['date', 'day'], message: `day ${step.date.day} does not exist in month ${step.date.month} every year` });
    }
  });

export const rulebookSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
    title: z.string().min(1),
    effectiveDate: isoDate,
    calendar: z.object({
      /** Days equated with holidays by decree (Atw art. 3 lid 3): data an operator extends. */
      decrees: z.array(z.object({ decree: z.string().min(1), years: z.array(z.number().int()), days: z.array(isoDate) })),
    }),
    /** The escalation ladder's standing: the project's policy, not the statute's (shown in the step view and mail). */
    escalationLadder: z.object({ basis: z.literal('project-policy'), nl: z.string().min(1), en: z.string().min(1) }).optional(),
    reminderSchedule: z.object({
      time: hhmm,
      timeZone: z.literal('Europe/Amsterdam'),
      /** Reminders move to the working day before, escalations to the working day after. */
      workingDaysOnly: z.boolean(),
    }),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((rulebook, ctx) => {
    const keys = new Set<string>();
    rulebook.steps.forEach((step, i) => {
      if (keys.has(step.key)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'key'], message: `duplicate step key ${step.key}` });
      keys.add(step.key);
    });
    rulebook.steps.forEach((step, i) =>
      step.dependsOn.forEach((dep, j) => {
        if (!keys.has(dep)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'dependsOn', j], message: `unknown step ${dep}` });
      }),
    );
  });

export type Rulebook = z.infer<typeof rulebookSchema>;
export type RulebookStep = z.infer<typeof stepSchema>;
export type Role = z.infer<typeof roleSchema>;

export class RulebookValidationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(`Rulebook ${source} is invalid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'RulebookValidationError';
  }
}

/** Validates unknown input as a rulebook; the error names each bad field by its path. */
export function parseRulebook(input: unknown, source: string): Rulebook {
  const result = rulebookSchema.safeParse(input);
  if (result.success) return result.data;
  throw new RulebookValidationError(
    source,
    result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', message: issue.message })),
  );
}
