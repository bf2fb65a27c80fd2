import { z } from 'zod';

/**
 * The statute as versioned data. Shipped versions are JSON files in `versions/`; an operator's versions
 * are stored in Postgres. Workflows receive a version as data and never import it as code, so this
 * module (which pulls in zod) is for the API and activities only; workflows use `import type`.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM');
const key = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

export const roleSchema = z.enum([
  'programme-manager',
  'alderman',
  'regional-coordinator',
  'province',
  'housing-corporation',
  'tenant-organisation',
  'care-welfare-organisation',
]);

const legalBasisSchema = z.object({
  citation: z.string().min(1),
  /** false where the domain brief says the article was not verified. */
  verified: z.boolean(),
});

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
]);

const reminderSchema = z.object({
  offsetDays: z.number().int().min(0).max(730),
  roles: z.array(roleSchema).min(1),
  statutory: z.boolean(),
});

const escalationSchema = z.object({
  rung: z.number().int().min(1),
  /** Days after the due date; the first rung (0) is the first working day after it. */
  offsetDays: z.number().int().min(0).max(730),
  roles: z.array(roleSchema).min(1),
  statutory: z.boolean(),
});

const checklistItemSchema = z.object({ key, nl: z.string().min(1), en: z.string().min(1) });

export const stepSchema = z.object({
  key,
  /**
   * The statutory step this belongs to (1-6 in the domain brief); step 6 has two yearly deadlines.
   * Optional: versions published before this field existed must still read (stored versions never change).
   */
  number: z.number().int().min(1).max(6).optional(),
  nameNl: z.string().min(1),
  nameEn: z.string().min(1),
  legalBasis: legalBasisSchema,
  scope: z.enum(['municipality', 'region']),
  dependsOn: z.array(key),
  date: dateRuleSchema,
  /** Whether the Algemene termijnenwet shift applies to this step's date. */
  applyTermijnenwet: z.boolean(),
  checklist: z.array(checklistItemSchema),
  reminders: z.array(reminderSchema),
  escalations: z.array(escalationSchema),
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
