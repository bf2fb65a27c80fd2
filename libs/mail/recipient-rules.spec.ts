import { chooseRecipients, deliveryFor, OwnerScope, RecipientCandidate, roleInScope } from './recipient-rules';

const amsterdam: OwnerScope = { code: 'GM0363', name: 'Amsterdam', municipalityCodes: ['GM0363'], region: { code: 'CR23', name: 'Groot-Amsterdam' }, provinceCodes: ['PV27'] };
const region: OwnerScope = { code: 'CR23', name: 'Groot-Amsterdam', municipalityCodes: ['GM0363', 'GM0384'], region: { code: 'CR23', name: 'Groot-Amsterdam' }, provinceCodes: ['PV27'] };

const contact = (email: string, role: string, organisation: Partial<Extract<RecipientCandidate, { source: 'contact' }>['organisation']> & { key: string; kind: Extract<RecipientCandidate, { source: 'contact' }>['organisation']['kind'] }): RecipientCandidate => ({
  source: 'contact',
  email,
  role,
  language: 'nl',
  organisation: { name: organisation.key, code: null, municipalities: [], ...organisation },
});

const candidates: RecipientCandidate[] = [
  { source: 'onboarding', email: 'PM@gm0363.example', owner: { kind: 'municipality', code: 'GM0363', name: 'Amsterdam' } },
  contact('pm@gm0363.example', 'programme-manager', { key: 'amsterdam', kind: 'municipality', code: 'GM0363' }),
  contact('wethouder@amsterdam.example', 'alderman', { key: 'amsterdam', kind: 'municipality', code: 'GM0363' }),
  contact('wethouder@diemen.example', 'alderman', { key: 'diemen', kind: 'municipality', code: 'GM0384' }),
  contact('regio@groot-amsterdam.example', 'regional-coordinator', { key: 'groot-amsterdam', kind: 'region', code: 'CR23' }),
  contact('wonen@noord-holland.example', 'province', { key: 'noord-holland', kind: 'province', code: 'PV27' }),
  contact('wonen@utrecht.example', 'province', { key: 'utrecht', kind: 'province', code: 'PV26' }),
  contact('bod@ymere.example', 'housing-corporation', { key: 'ymere', kind: 'housing-corporation', municipalities: ['GM0363', 'GM0384'] }),
  contact('bod@elders.example', 'housing-corporation', { key: 'elders', kind: 'housing-corporation', municipalities: ['GM0014'] }),
  // A role that does not fit its organisation's kind counts for nothing.
  contact('verkeerd@ymere.example', 'alderman', { key: 'ymere', kind: 'housing-corporation', municipalities: ['GM0363'] }),
  contact('overzicht@vng.example', 'programme-manager', { key: 'vng', kind: 'vng' }),
];

describe('who receives a notification', () => {
  it('finds each role in the owner’s scope only, one entry per address (any case), the first role in the rulebook’s order winning', () => {
    expect(chooseRecipients(candidates, ['programme-manager', 'alderman', 'housing-corporation'], amsterdam)).toEqual([
      { email: 'pm@gm0363.example', role: 'programme-manager', organisationKey: 'GM0363', organisationName: 'Amsterdam', language: 'nl' },
      { email: 'wethouder@amsterdam.example', role: 'alderman', organisationKey: 'amsterdam', organisationName: 'amsterdam', language: 'nl' },
      { email: 'bod@ymere.example', role: 'housing-corporation', organisationKey: 'ymere', organisationName: 'ymere', language: 'nl' },
    ]);
    expect(chooseRecipients(candidates, ['province', 'regional-coordinator'], amsterdam).map((r) => [r.email, r.role])).toEqual([
      ['wonen@noord-holland.example', 'province'],
      ['regio@groot-amsterdam.example', 'regional-coordinator'],
    ]);
  });

  it('reaches a region’s members, their province and the stakeholders linked to them', () => {
    expect(chooseRecipients(candidates, ['regional-coordinator', 'alderman', 'housing-corporation'], region).map((r) => r.email)).toEqual([
      'regio@groot-amsterdam.example',
      'wethouder@amsterdam.example',
      'wethouder@diemen.example',
      'bod@ymere.example',
    ]);
  });

  it('leaves VNG and roles outside the organisation’s kind out', () => {
    expect(candidates.filter((c) => c.email.startsWith('verkeerd') || c.email.startsWith('overzicht')).map((c) => roleInScope(c, amsterdam))).toEqual([null, null]);
  });
});

describe('how a notification reaches a recipient', () => {
  const reminder = { kind: 'reminder' as const, mandatory: false };
  const rung = { kind: 'escalation' as const, mandatory: true };

  it('sends optional mail as the recipient prefers, and not at all once optional mail is stopped', () => {
    expect(deliveryFor(reminder, { role: 'alderman' }, undefined)).toEqual({ delivery: 'immediate', optional: true, unsubscribed: false });
    expect(deliveryFor(reminder, { role: 'alderman' }, { delivery: 'digest', stopped: false })).toEqual({ delivery: 'digest', optional: true, unsubscribed: false });
    expect(deliveryFor(reminder, { role: 'alderman' }, { delivery: 'immediate', stopped: true })).toEqual({ delivery: 'immediate', optional: true, unsubscribed: true });
  });

  it('never lets an office holder stop a mandatory notice, which may still wait for the digest; a stakeholder may stop it', () => {
    expect(deliveryFor(rung, { role: 'province' }, { delivery: 'digest', stopped: true })).toEqual({ delivery: 'digest', optional: false, unsubscribed: false });
    expect(deliveryFor(rung, { role: 'housing-corporation' }, { delivery: 'immediate', stopped: true })).toEqual({ delivery: 'immediate', optional: true, unsubscribed: true });
    // Requests recorded before `mandatory` existed carry it as `statutory`.
    expect(deliveryFor({ kind: 'escalation', statutory: true }, { role: 'alderman' }, { delivery: 'immediate', stopped: true }).unsubscribed).toBe(false);
  });
});
