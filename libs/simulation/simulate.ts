/**
 * The load simulation: every reminder, deadline and rung that will fire for these owners over a period,
 * and every mail that follows, as a pure function. Each owner's steps run in the step model itself
 * (`ProgrammeSteps`), driven by the workflow's own loop (`runUntil` in libs/programme/step-loop.ts) with a
 * simulated clock; who receives a notification and how is decided by the notification activity's own rules
 * (libs/mail/recipient-rules.ts); the weekly digest bundles as its activity does (one mail per recipient and
 * organisation, on the first Monday 08:00 after a mail was queued). No third copy of the rules, no engine,
 * no I/O: the CLI (infra/simulate.ts) reads the inputs.
 */
import { nextWeeklyAmsterdamMoment } from '../calendar';
import {
  DIGEST_TIME,
  DIGEST_WEEKDAY,
  digestBusinessKey,
  NotificationKind,
  NotificationRequest,
  ProgrammeWorkflowInput,
  Role,
} from '../contracts';
import { chooseRecipients, deliveryFor, MailPreferenceState, OwnerScope, Recipient, RecipientCandidate, roleInScope } from '../mail/recipient-rules';
import { ProgrammeSteps } from '../programme/programme-steps';
import { runUntil, TimedUpdate } from '../programme/step-loop';
import { isClosed } from '../programme/step-rules';
import type { Rulebook } from '../rulebook/rulebook.schema';
import type { TermRules } from '../rulebook/schedule';

/** One owner as its workflow runs: the input it was started with, when, and the updates it received since. */
export interface SimulatedOwner {
  workflowId: string;
  input: ProgrammeWorkflowInput;
  /** When the workflow started (epoch ms): moments before it are skipped, as at onboarding. */
  startedAt: number;
  /** Updates as they reached the workflow, in order (a replayed history; none for a fresh onboarding). */
  updates?: TimedUpdate[];
  /** Where it belongs, for its recipients (as `findOwnerScope` reads it). */
  scope: OwnerScope;
}

export interface SimulationInput {
  owners: SimulatedOwner[];
  /** Every address that may receive mail: organisations' contacts and the addresses named at onboarding. */
  candidates: RecipientCandidate[];
  /** Preferences by address (lower case, as recipients are): delivery and a stop of optional mail. */
  preferences: ReadonlyMap<string, MailPreferenceState>;
  /** The period whose mails count: [from, until), epoch ms. */
  from: number;
  until: number;
  /** A rulebook version applied to every owner at `from`, as a rollout would apply it (one change notice per moved date). */
  apply?: { rulebook: Rulebook; hash: string };
  /** The workflow answers `statute` for every workflow started since the term rules were complete. */
  termRules?: TermRules;
}

/** One notification (a reminder, rung, change notice or cancellation) to one recipient. */
export interface PredictedDelivery {
  /** When it was queued (epoch ms): the firing's moment. */
  at: number;
  businessKey: string;
  workflowId: string;
  recipient: string;
  role: Role;
  organisationKey: string;
  kind: NotificationKind;
  owner: { kind: 'municipality' | 'region'; code: string; name: string };
  province: string | null;
  step: string;
  stepKey: string;
  firingKey: string;
  rung: number | null;
  dueDate: string;
  optional: boolean;
  /**
   * `immediate`: its own mail at once; `digest`: part of the weekly digest `digest` (sent at `digestAt`);
   * `unsubscribed`: optional mail the recipient stopped, never sent; `cancelled`: waiting for a digest when
   * its step closed or its date moved (the dispatcher drops it); `after-period`: its digest falls after `until`.
   */
  delivery: 'immediate' | 'digest' | 'unsubscribed' | 'cancelled' | 'after-period';
  digest?: string;
  digestAt?: number;
}

/** One mail the SMTP server receives: a notification's own mail, or a weekly digest. */
export interface PredictedMail {
  at: number;
  recipient: string;
  /** The outbox row's business key (the X-Regie-Business-Key header): a notification's, or a digest's. */
  businessKey: string;
  kind: NotificationKind | 'digest';
  role: Role;
  province: string | null;
  owner: { kind: 'municipality' | 'region'; code: string } | null;
  step: string | null;
  rung: number | null;
  optional: boolean;
  /** For a digest: the notifications it bundles. */
  items?: string[];
}

/** A firing as the model decided it, with whom it reached (none: recorded as `no-recipients`). */
export interface PredictedNotification {
  at: number;
  businessKey: string;
  kind: NotificationKind;
  owner: { kind: 'municipality' | 'region'; code: string };
  step: string;
  rung: number | null;
  roles: Role[];
  recipients: string[];
}

export interface SimulationResult {
  notifications: PredictedNotification[];
  deliveries: PredictedDelivery[];
  mails: PredictedMail[];
  /** Deadline moments (a step becomes overdue or late) in the period; they notify no one themselves. */
  deadlines: { at: number; owner: string; step: string; event: string }[];
  /** Updates the model's validators refused (a replayed history that no longer fits): counted, not applied. */
  refusedUpdates: number;
}

/** What a step instance looked like after each write: for the dispatcher's check when a digest goes out. */
type StepTimeline = { at: number; closed: boolean; due: string | null }[];

const byTime = <T extends { at: number }>(a: T, b: T) => a.at - b.at;

export function simulate(input: SimulationInput): SimulationResult {
  const { from, until } = input;
  const notifications: PredictedNotification[] = [];
  const deliveries: PredictedDelivery[] = [];
  const deadlines: SimulationResult['deadlines'] = [];
  /** Per workflow, per step instance. */
  const timelines = new Map<string, Map<string, StepTimeline>>();
  let refusedUpdates = 0;

  const nearTo = candidatesNear(input.candidates);
  for (const owner of input.owners) {
    // The addresses that reach this owner at all, found once; each notification then chooses among them.
    const near = nearTo(owner.scope);
    const chosen = new Map<string, { recipients: Recipient[]; emails: string[] }>();
    const recipientsFor = (roles: Role[]) => {
      const key = roles.join(' ');
      let found = chosen.get(key);
      if (!found) {
        const recipients = chooseRecipients(near, roles, owner.scope);
        chosen.set(key, (found = { recipients, emails: recipients.map((r) => r.email) }));
      }
      return found;
    };
    const model = new ProgrammeSteps(owner.input, { workflowId: owner.workflowId, termRules: () => input.termRules ?? 'statute' });
    const updates = [...(owner.updates ?? [])];
    if (input.apply) updates.push({ at: Math.max(from, owner.startedAt), update: { kind: 'applyRulebook', input: { rulebook: input.apply.rulebook, rulebookHash: input.apply.hash } } });
    const steps = new Map<string, StepTimeline>();
    timelines.set(owner.workflowId, steps);
    const ownerRef = { kind: owner.input.owner.kind, code: owner.input.owner.code, name: owner.input.owner.name };
    const province = owner.input.owner.provinceCode;

    const run = runUntil(model, {
      startedAt: owner.startedAt,
      until,
      updates,
      notify: ({ request }, at) => {
        const { recipients, emails } = recipientsFor(request.roles);
        if (at >= from) {
          notifications.push({ at, businessKey: request.businessKey, kind: request.kind, owner: request.owner, step: request.step, rung: request.rung ?? null, roles: request.roles, recipients: emails });
          for (const r of recipients) deliveries.push(delivery(request, r, at, input.preferences.get(r.email), ownerRef, province));
        }
        return { outcome: recipients.length ? 'queued' : 'no-recipients', recipients: [...emails] };
      },
      written: (write, at) => {
        let timeline = steps.get(write.step.key);
        if (!timeline) steps.set(write.step.key, (timeline = []));
        const closed = isClosed(write.step);
        const due = write.step.due?.date ?? null;
        const last = timeline[timeline.length - 1];
        if (!last || last.closed !== closed || last.due !== due) timeline.push({ at, closed, due });
        if ((write.event === 'overdue' || write.event === 'late') && at >= from && at < until) deadlines.push({ at, owner: write.owner.code, step: write.step.key, event: write.event });
      },
    });
    refusedUpdates += run.refused;
  }

  const mails = bundle(deliveries, timelines, until);
  return { notifications: notifications.sort(byTime), deliveries: deliveries.sort(byTime), mails, deadlines: deadlines.sort(byTime), refusedUpdates };
}

/**
 * The candidates that may reach an owner, looked up by the codes of its scope (as the activity's query
 * narrows them), then decided by the rule itself (`roleInScope`).
 */
function candidatesNear(candidates: RecipientCandidate[]): (scope: OwnerScope) => RecipientCandidate[] {
  const byCode = new Map<string, RecipientCandidate[]>();
  const add = (code: string, c: RecipientCandidate) => {
    const list = byCode.get(code);
    if (list) list.push(c);
    else byCode.set(code, [c]);
  };
  for (const c of candidates) {
    if (c.source === 'onboarding') add(c.owner.code, c);
    else {
      if (c.organisation.code !== null) add(c.organisation.code, c);
      for (const m of c.organisation.municipalities) add(m, c);
    }
  }
  return (scope) => {
    const found = new Set<RecipientCandidate>();
    for (const code of [...scope.municipalityCodes, ...(scope.region ? [scope.region.code] : []), ...scope.provinceCodes]) {
      for (const c of byCode.get(code) ?? []) found.add(c);
    }
    return [...found].filter((c) => roleInScope(c, scope) !== null);
  };
}

function delivery(
  request: NotificationRequest,
  r: Recipient,
  at: number,
  preference: MailPreferenceState | undefined,
  owner: PredictedDelivery['owner'],
  province: string | null,
): PredictedDelivery {
  const decided = deliveryFor(request, r, preference);
  return {
    at,
    businessKey: request.businessKey,
    workflowId: request.workflowId,
    recipient: r.email,
    role: r.role,
    organisationKey: r.organisationKey,
    kind: request.kind,
    owner,
    province,
    step: request.step,
    stepKey: request.stepKey,
    firingKey: request.firingKey,
    rung: request.rung ?? null,
    dueDate: request.due.date,
    optional: decided.optional,
    delivery: decided.unsubscribed ? 'unsubscribed' : decided.delivery,
  };
}

/**
 * The mails the SMTP server receives: each immediate delivery, and per week, recipient and organisation
 * one digest of what waited for it (composeWeeklyDigests). When the digest goes out, the dispatcher drops an
 * item whose step has closed or whose date has moved since it fired (a cancellation is never dropped), and a
 * digest left with nothing is not sent.
 */
function bundle(deliveries: PredictedDelivery[], timelines: Map<string, Map<string, StepTimeline>>, until: number): PredictedMail[] {
  const mails: PredictedMail[] = [];
  const digests = new Map<string, { at: number; items: PredictedDelivery[] }>();
  const weeks = new Map<number, { date: string; at: number }>();
  for (const d of deliveries) {
    if (d.delivery === 'immediate') {
      mails.push({ at: d.at, recipient: d.recipient, businessKey: d.businessKey, kind: d.kind, role: d.role, province: d.province, owner: d.owner, step: d.step, rung: d.rung, optional: d.optional });
      continue;
    }
    if (d.delivery !== 'digest') continue;
    const moment = weeks.get(d.at) ?? (weeks.set(d.at, nextWeeklyAmsterdamMoment(d.at, DIGEST_WEEKDAY, DIGEST_TIME)), weeks.get(d.at)!);
    if (moment.at >= until) {
      d.delivery = 'after-period';
      continue;
    }
    const key = digestBusinessKey(moment.date, d.organisationKey, d.recipient);
    const digest = digests.get(key) ?? (digests.set(key, { at: moment.at, items: [] }), digests.get(key)!);
    digest.items.push(d);
    d.digest = key;
    d.digestAt = moment.at;
  }
  for (const [key, digest] of digests) {
    // The digest's row is optional only if every mail it bundles is (bool_and at composition).
    const optional = digest.items.every((d) => d.optional);
    const kept = digest.items.filter((d) => {
      if (d.kind === 'cancellation') return true;
      const state = stateAt(timelines.get(d.workflowId)?.get(d.step), digest.at);
      const overtaken = !!state && (state.closed || state.due !== d.dueDate);
      if (overtaken) d.delivery = 'cancelled';
      return !overtaken;
    });
    if (!kept.length) continue;
    const first = kept[0];
    mails.push({ at: digest.at, recipient: first.recipient, businessKey: key, kind: 'digest', role: first.role, province: first.province, owner: null, step: null, rung: null, optional, items: kept.map((d) => d.businessKey) });
  }
  return mails.sort((a, b) => a.at - b.at || (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0) || (a.businessKey < b.businessKey ? -1 : 1));
}

function stateAt(timeline: StepTimeline | undefined, at: number) {
  if (!timeline) return undefined;
  let found: StepTimeline[number] | undefined;
  for (const entry of timeline) {
    if (entry.at > at) break;
    found = entry;
  }
  return found;
}
