/**
 * The programme workflow's loop, as pure code: what `runSteps` in workflows/programme.workflow.ts does with
 * the step model, turn by turn, written once as a generator that yields each thing to perform (record
 * writes, send a notification, wait for a moment) and resumes when it is done. The workflow performs those
 * with activities and timers; the load simulation (libs/simulation) performs them with a simulated clock
 * (`runUntil` below). Nothing here knows Temporal, reads a clock or does I/O.
 *
 * The order is the workflow's, call for call: on a change, `ensureInstances` then `skipPast` (recorded
 * together), then every pending change notice or cancellation, one at a time, then the search attributes;
 * otherwise the next wake, a wait until it (or until an update makes the model dirty), and the firing it
 * planned. Updates reach the model only while it waits, as the simulation delivers them.
 */
import type { StepEventWrite } from '../contracts';
import type { UpdateInput } from './updates';
import { applyUpdate } from './updates';
import type { NotificationEffect, ProgrammeSteps } from './programme-steps';

export type LoopCommand =
  /** The start of a turn: where the workflow checks for continue-as-new. */
  | { kind: 'turn' }
  /** Record these writes in the read model, in one go (new steps and skipped moments). Never empty. */
  | { kind: 'record'; writes: StepEventWrite[] }
  /** Send this notification, then record its outcome with `recorded` (or `failed`). */
  | { kind: 'notify'; effect: NotificationEffect }
  /** A deadline moment: record the write (overdue or late), then publish the search attributes. */
  | { kind: 'deadline'; write: StepEventWrite }
  /** Publish the search attributes. */
  | { kind: 'publish' }
  /** Wait until this moment (epoch ms; Infinity: until a change), or until the model is dirty. Resume with true if it became dirty. */
  | { kind: 'wait'; until: number };

/** Every step is closed and no cycle is ahead: the workflow ends. */
export type LoopEnd = 'finished';

/**
 * One owner's loop. `now` is the clock the performer keeps (the workflow clock, or a simulated one); it is
 * read exactly where the workflow reads it.
 */
export function* stepLoop(model: ProgrammeSteps, now: () => number): Generator<LoopCommand, LoopEnd, boolean | undefined> {
  for (;;) {
    yield { kind: 'turn' };
    if (model.dirty) {
      model.dirty = false;
      // New steps and the moments already past, computed back to back and written as one batch (the
      // workflow's one-writer path; before it, each was written before the next was computed).
      const writes = [...model.ensureInstances(now()), ...model.skipPast(now())];
      if (writes.length) yield { kind: 'record', writes };
      for (let notice = model.nextNotice(); notice; notice = model.nextNotice()) yield { kind: 'notify', effect: notice };
      yield { kind: 'publish' };
      continue;
    }
    const wake = model.nextWake(now());
    if ('finished' in wake) return 'finished';
    if (wake.at > now()) {
      const changed = yield { kind: 'wait', until: wake.at };
      if (changed) continue;
    }
    const due = model.fire(now(), wake);
    if (!due) continue;
    if ('deadline' in due) {
      yield { kind: 'deadline', write: due.deadline };
      continue;
    }
    yield { kind: 'notify', effect: due.notification };
  }
}

/** An update as it reached the workflow: at this moment, with this input (validated as the workflow's validator does). */
export interface TimedUpdate {
  at: number;
  update: UpdateInput;
}

export interface RunUntilOptions {
  /** When the workflow started: the clock's first reading. */
  startedAt: number;
  /** Stop at the first wait whose moment lies at or after this instant (epoch ms). */
  until: number;
  /** Updates in the order they arrived; each is applied at its moment (or at once, if that has passed). */
  updates?: TimedUpdate[];
  /**
   * Performs a notification at `at`: returns the outcome the activity would have answered. The driver then
   * records it on the model as the workflow does (`recorded`).
   */
  notify(effect: NotificationEffect, at: number): { outcome: 'queued' | 'no-recipients'; recipients: string[] };
  /** Sees every read-model write at its moment, epoch ms (optional: the simulation follows steps closing and moving). */
  written?(write: StepEventWrite, at: number): void;
}

/**
 * Drives one owner's loop with a simulated clock until `until`: activities take no time, a wait jumps the
 * clock to its moment, an update arriving before that moment is applied then (and, if it made the model
 * dirty, ends the wait, as `condition(() => model.dirty, …)` does). Returns why it stopped and the clock.
 */
export function runUntil(model: ProgrammeSteps, opts: RunUntilOptions): { end: LoopEnd | 'until'; clock: number; refused: number } {
  let clock = opts.startedAt;
  const updates = [...(opts.updates ?? [])];
  let refused = 0;
  const loop = stepLoop(model, () => clock);
  const write = (w: StepEventWrite) => opts.written?.(w, clock);
  let resume: boolean | undefined;
  for (;;) {
    const next = loop.next(resume);
    resume = undefined;
    if (next.done) return { end: next.value, clock, refused };
    const command = next.value;
    switch (command.kind) {
      case 'turn':
      case 'publish':
        break;
      case 'record':
        command.writes.forEach(write);
        break;
      case 'deadline':
        write(command.write);
        break;
      case 'notify': {
        const result = opts.notify(command.effect, clock);
        write(command.effect.recorded(result, clock));
        break;
      }
      case 'wait': {
        // Updates before the moment (or before the end) arrive while the workflow waits.
        let changed = false;
        while (!changed && updates.length && updates[0].at < Math.min(command.until, opts.until)) {
          const { at, update } = updates.shift()!;
          clock = Math.max(clock, at);
          const applied = applyUpdate(model, update, clock);
          if (!applied) refused += 1;
          else applied.forEach(write);
          changed = model.dirty;
        }
        if (changed) {
          resume = true;
          break;
        }
        if (command.until >= opts.until) return { end: 'until', clock, refused };
        clock = command.until;
        resume = false;
        break;
      }
    }
  }
}
