/**
 * Personal data (addresses, SMTP answers, Message-IDs) is shown only to the owning organisation, its
 * province and the operator (libs/access/policy.ts decides who); everyone else sees counts. These pure
 * functions turn a sent log and a step's acknowledgements into what the others may see.
 */

export interface Delivery {
  recipient: string;
  status: string;
  [field: string]: unknown;
}

export interface SentLogEntry {
  recipients: unknown;
  messageId?: unknown;
  deliveries: Delivery[];
  [field: string]: unknown;
}

/** Deliveries become counts per status; recipients a number; the Message-ID goes. */
export function sentLogCounts<T extends SentLogEntry>(entry: T) {
  const { recipients, messageId: _messageId, deliveries, ...rest } = entry;
  const byStatus: Record<string, number> = {};
  for (const d of deliveries) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
  return { ...rest, recipientCount: Array.isArray(recipients) ? recipients.length : deliveries.length, deliveryCounts: byStatus };
}

/** An acknowledgement without who gave it. */
export function acknowledgementWithoutRecipient<T extends { recipient: unknown }>(ack: T) {
  const { recipient: _recipient, ...rest } = ack;
  return rest;
}

const PERSONAL_KEY = /email|recipient|address|smtp|messageid/i;

/** A history event's detail without fields that hold addresses (an onboarding names the programme manager's). */
export function detailWithoutPersonalData(detail: unknown): unknown {
  if (Array.isArray(detail)) return detail.map(detailWithoutPersonalData);
  // A time (a history entry's occurredAt) is no personal data, and has no entries to filter: kept as it is, not turned into {}.
  if (detail instanceof Date) return detail;
  if (detail && typeof detail === 'object') {
    return Object.fromEntries(Object.entries(detail).filter(([k]) => !PERSONAL_KEY.test(k)).map(([k, v]) => [k, detailWithoutPersonalData(v)]));
  }
  if (typeof detail === 'string' && /[^\s@]+@[^\s@]+\.[^\s@]+/.test(detail)) return detail.replace(/[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+/g, '[adres]');
  return detail;
}
