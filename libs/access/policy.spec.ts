import { accessClass, actorLabel, decide, OrganisationFacts, ownerRef, Principal, Reach } from './policy';

const GM0363 = ownerRef('municipality', 'GM0363');
const GM0599 = ownerRef('municipality', 'GM0599');
const CR23 = ownerRef('region', 'CR23');

function member(kind: OrganisationFacts['kind'], role: Extract<Principal, { role: unknown }>['role'], reach: Partial<Reach>, scope: 'read' | 'read-write' = 'read-write'): Principal {
  return {
    kind: 'person',
    actor: 'p@example.nl',
    name: 'Petra',
    organisation: { key: `${kind}-x`, kind, name: 'Org X', code: 'X' },
    role,
    scope,
    reach: { owns: [], reads: [], governs: [], ...reach },
  };
}

const pm = member('municipality', 'programme-manager', { owns: [GM0363], reads: [GM0363, CR23] });
const alderman = member('municipality', 'alderman', { owns: [GM0363], reads: [GM0363, CR23] });
const coordinator = member('region', 'regional-coordinator', { owns: [CR23], reads: [CR23, GM0363] });
const province = member('province', 'province', { reads: [GM0363, CR23], governs: [GM0363, CR23] });
const stakeholder = member('housing-corporation', 'housing-corporation', { reads: [GM0363] });
const vng = member('vng', 'programme-manager', {});
const operator: Principal = { kind: 'operator', actor: 'operator' };

describe('access policy', () => {
  it('lets anyone reach public routes and nobody else anonymously', () => {
    expect(decide(null, 'public')).toEqual({ allow: true, personalData: false });
    expect(decide(null, 'owner:read', { owner: GM0363 })).toEqual({ allow: false, refusal: 'unauthenticated' });
    expect(decide(null, 'session')).toEqual({ allow: false, refusal: 'unauthenticated' });
  });

  it('hides owners out of reach as not found, and refuses writes in reach with forbidden', () => {
    expect(decide(pm, 'owner:read', { owner: GM0599 })).toEqual({ allow: false, refusal: 'not-found' });
    expect(decide(pm, 'step:complete', { owner: GM0599 })).toEqual({ allow: false, refusal: 'not-found' });
    expect(decide(pm, 'step:complete', { owner: CR23 })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(pm, 'step:extension', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
  });

  it('gives each class its own writes', () => {
    expect(decide(pm, 'step:complete', { owner: GM0363 }).allow).toBe(true);
    expect(decide(pm, 'step:target-date', { owner: GM0363 }).allow).toBe(true);
    expect(decide(alderman, 'step:progress', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(coordinator, 'step:progress', { owner: CR23 }).allow).toBe(true);
    expect(decide(coordinator, 'step:progress', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(province, 'step:extension', { owner: GM0363 }).allow).toBe(true);
    expect(decide(province, 'step:waiver', { owner: CR23 }).allow).toBe(true);
    expect(decide(province, 'step:extension', { owner: GM0599 })).toEqual({ allow: false, refusal: 'not-found' });
    expect(decide(province, 'step:complete', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(stakeholder, 'step:progress', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(vng, 'step:progress', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
  });

  it('shows personal data only to the owning organisation, its province and the operator', () => {
    expect(decide(pm, 'owner:sent-log', { owner: GM0363 })).toEqual({ allow: true, personalData: true });
    expect(decide(pm, 'owner:sent-log', { owner: CR23 })).toEqual({ allow: true, personalData: false });
    expect(decide(province, 'owner:sent-log', { owner: GM0363 })).toEqual({ allow: true, personalData: true });
    expect(decide(stakeholder, 'owner:sent-log', { owner: GM0363 })).toEqual({ allow: true, personalData: false });
    expect(decide(vng, 'owner:sent-log', { owner: GM0599 })).toEqual({ allow: true, personalData: false });
    expect(decide(operator, 'owner:sent-log', { owner: GM0599 })).toEqual({ allow: true, personalData: true });
  });

  it('keeps the operator work to the operator, and a read token to reads', () => {
    for (const who of [pm, coordinator, province, stakeholder, vng]) expect(decide(who, 'onboarding:write')).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(operator, 'onboarding:write').allow).toBe(true);
    expect(decide(operator, 'step:complete', { owner: GM0363 })).toEqual({ allow: false, refusal: 'forbidden' });
    const readToken = member('municipality', 'programme-manager', { owns: [GM0363], reads: [GM0363] }, 'read');
    expect(decide(readToken, 'owner:read', { owner: GM0363 }).allow).toBe(true);
    expect(decide(readToken, 'step:complete', { owner: GM0363 })).toEqual({ allow: false, refusal: 'read-only' });
  });

  it('lets an organisation manage its own tokens and contacts only', () => {
    const own = { organisation: 'municipality-x' };
    expect(decide(pm, 'organisation:tokens', own).allow).toBe(true);
    expect(decide(pm, 'organisation:contacts', own).allow).toBe(true);
    expect(decide(alderman, 'organisation:tokens', own)).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(pm, 'organisation:tokens', { organisation: 'other' })).toEqual({ allow: false, refusal: 'not-found' });
    expect(decide(coordinator, 'organisation:tokens', { organisation: 'region-x' }).allow).toBe(true);
    expect(decide(coordinator, 'organisation:contacts', { organisation: 'region-x' })).toEqual({ allow: false, refusal: 'forbidden' });
  });

  it('shows a province page to its own officers (with personal data), VNG (without) and the operator only', () => {
    // The province member's organisation code is 'X' (see member()).
    expect(decide(province, 'province:read', { province: 'X' })).toEqual({ allow: true, personalData: true });
    expect(decide(province, 'province:read', { province: 'PV28' })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(vng, 'province:read', { province: 'PV27' })).toEqual({ allow: true, personalData: false });
    expect(decide(operator, 'province:read', { province: 'PV27' })).toEqual({ allow: true, personalData: true });
    for (const who of [pm, alderman, coordinator, stakeholder]) expect(decide(who, 'province:read', { province: 'X' })).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(null, 'province:read', { province: 'PV27' })).toEqual({ allow: false, refusal: 'unauthenticated' });
  });

  it('shows the rulebook pages to the operator and to VNG (read-only, without personal data), nobody else', () => {
    expect(decide(operator, 'rulebook:pages')).toEqual({ allow: true, personalData: true });
    expect(decide(vng, 'rulebook:pages')).toEqual({ allow: true, personalData: false });
    for (const who of [pm, alderman, coordinator, province, stakeholder]) expect(decide(who, 'rulebook:pages')).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(null, 'rulebook:pages')).toEqual({ allow: false, refusal: 'unauthenticated' });
    // The preview's JSON and the rollout stay the operator's.
    expect(decide(vng, 'rulebook:preview')).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(vng, 'rulebook:write')).toEqual({ allow: false, refusal: 'forbidden' });
  });

  it('shows the metrics to the operator only (a scraper with the admin token)', () => {
    expect(decide(operator, 'metrics:read')).toEqual({ allow: true, personalData: true });
    for (const who of [pm, alderman, coordinator, province, stakeholder, vng]) expect(decide(who, 'metrics:read')).toEqual({ allow: false, refusal: 'forbidden' });
    expect(decide(null, 'metrics:read')).toEqual({ allow: false, refusal: 'unauthenticated' });
  });

  it('lets a person who has not chosen an organisation do nothing but session work', () => {
    const choosing: Principal = { kind: 'choosing', actor: 'p@example.nl' };
    expect(decide(choosing, 'session').allow).toBe(true);
    expect(decide(choosing, 'owner:read', { owner: GM0363 })).toEqual({ allow: false, refusal: 'choose-organisation' });
  });

  it('derives the class from the organisation kind and role, and names the actor', () => {
    expect([pm, alderman, coordinator, province, stakeholder, vng, operator].map(accessClass)).toEqual([
      'programme-manager',
      'alderman',
      'regional-coordinator',
      'province',
      'stakeholder',
      'vng',
      'operator',
    ]);
    expect(actorLabel(pm)).toBe('Petra (Org X, programme-manager)');
  });
});
