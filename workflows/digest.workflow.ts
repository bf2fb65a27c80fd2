import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { RegieActivities } from '../activities';
import { nextWeeklyAmsterdamMoment } from '../libs/calendar';
import { DIGEST_TIME, DIGEST_WEEKDAY } from '../libs/contracts';

const { composeWeeklyDigests } = proxyActivities<RegieActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});


/**
 * The timer behind the weekly digest: one workflow for the whole system (`regie-weekly-digest`, started by
 * every worker, kept once by its ID). Each week it bundles what digest recipients have pending into one
 * mail per recipient and organisation; the dispatcher sends those. Continues as new after a year of weeks.
 */
export async function weeklyDigestWorkflow(): Promise<void> {
  for (let week = 0; week < 52; week++) {
    const next = nextWeeklyAmsterdamMoment(Date.now(), DIGEST_WEEKDAY, DIGEST_TIME);
    await sleep(next.at - Date.now());
    await composeWeeklyDigests({ weekOf: next.date });
  }
  await continueAsNew<typeof weeklyDigestWorkflow>();
}
