/**
 * The simulation's input without a running system: every municipality of the reference data and every
 * region onboarded at one moment under one rulebook version, with one made-up address per role, so a
 * newcomer sees the load on a fresh clone. Pure: the reference data comes in already read.
 */
import { ownerWorkflowId, OwnerRef } from '../contracts';
import type { ReferenceData } from '../db/reference-data';
import type { MailPreferenceState, OwnerScope, RecipientCandidate } from '../mail/recipient-rules';
import type { HashedRulebook } from '../rulebook/rulebook-files';
import type { SimulatedOwner } from './simulate';

/** What the synthetic contacts are, said once for the CLI's output and the README. */
export const SYNTHETIC_CONTACTS =
  'per gemeente een programmamanager (bij aanmelding genoemd), een wethouder, een woningcorporatie en een huurdersorganisatie; ' +
  'per regio een coördinator; per provincie één ambtenaar, die het weekoverzicht ontvangt; de rest per mail / ' +
  'per municipality a programme manager (named at onboarding), an alderman, a housing corporation and a tenant organisation; ' +
  'per region a coordinator; per province one officer, on the weekly digest; everyone else immediate';

export interface SyntheticInput {
  owners: SimulatedOwner[];
  candidates: RecipientCandidate[];
  preferences: Map<string, MailPreferenceState>;
}

/** Everyone onboarded at `startedAt` under `rulebook` (regions of the given grouping, as `npm run onboard` does). */
export function syntheticInput(ref: ReferenceData, rulebook: HashedRulebook, startedAt: number, grouping = 'corop'): SyntheticInput {
  const provinces = new Map(ref.provinces.map((p) => [p.code, p.name]));
  const regions = new Map(ref.regions.filter((r) => r.grouping === grouping).map((r) => [r.code, r.name]));
  const regionOf = new Map(ref.members.filter((m) => regions.has(m.regionCode)).map((m) => [m.municipalityCode, m.regionCode]));
  const membersOf = new Map<string, { code: string; provinceCode: string }[]>();
  for (const m of ref.municipalities) {
    const region = regionOf.get(m.code);
    if (region) membersOf.set(region, [...(membersOf.get(region) ?? []), m]);
  }

  const owners: SimulatedOwner[] = [];
  const candidates: RecipientCandidate[] = [];
  const preferences = new Map<string, MailPreferenceState>();
  const owner = (ref: OwnerRef, scope: OwnerScope): SimulatedOwner => ({
    workflowId: ownerWorkflowId(ref),
    input: { owner: ref, rulebook: rulebook.rulebook, rulebookHash: rulebook.hash },
    startedAt,
    scope,
  });

  for (const [code, name] of regions) {
    const members = membersOf.get(code) ?? [];
    const provinceCodes = [...new Set(members.map((m) => m.provinceCode))].sort();
    const provinceCode = provinceCodes[0] ?? null;
    owners.push(
      owner(
        { kind: 'region', code, name, provinceCode, provinceName: provinceCode ? provinces.get(provinceCode)! : null, regionCode: code, regionName: name },
        { code, name, municipalityCodes: members.map((m) => m.code), region: { code, name }, provinceCodes },
      ),
    );
    const key = `regio-${code.toLowerCase()}`;
    candidates.push({ source: 'contact', email: `coordinator@${key}.example`, role: 'regional-coordinator', language: 'nl', organisation: { key, kind: 'region', name: `Regio ${name}`, code, municipalities: [] } });
  }
  for (const [code, name] of provinces) {
    const key = `provincie-${code.toLowerCase()}`;
    const email = `termijnen@${code.toLowerCase()}.example`;
    candidates.push({ source: 'contact', email, role: 'province', language: 'nl', organisation: { key, kind: 'province', name: `Provincie ${name}`, code, municipalities: [] } });
    preferences.set(email, { delivery: 'digest', stopped: false });
  }
  for (const m of ref.municipalities) {
    const regionCode = regionOf.get(m.code) ?? null;
    const regionName = regionCode ? regions.get(regionCode)! : null;
    owners.push(
      owner(
        { kind: 'municipality', code: m.code, name: m.name, provinceCode: m.provinceCode, provinceName: provinces.get(m.provinceCode)!, regionCode, regionName },
        { code: m.code, name: m.name, municipalityCodes: [m.code], region: regionCode ? { code: regionCode, name: regionName! } : null, provinceCodes: [m.provinceCode] },
      ),
    );
    const lower = m.code.toLowerCase();
    candidates.push(
      { source: 'onboarding', email: `programma@${lower}.example`, owner: { kind: 'municipality', code: m.code, name: m.name } },
      { source: 'contact', email: `wethouder@${lower}.example`, role: 'alderman', language: 'nl', organisation: { key: `gemeente-${lower}`, kind: 'municipality', name: `Gemeente ${m.name}`, code: m.code, municipalities: [] } },
      { source: 'contact', email: `bod@corporatie-${lower}.example`, role: 'housing-corporation', language: 'nl', organisation: { key: `corporatie-${lower}`, kind: 'housing-corporation', name: `Woningcorporatie ${m.name}`, code: null, municipalities: [m.code] } },
      { source: 'contact', email: `bestuur@huurders-${lower}.example`, role: 'tenant-organisation', language: 'nl', organisation: { key: `huurders-${lower}`, kind: 'tenant-organisation', name: `Huurdersorganisatie ${m.name}`, code: null, municipalities: [m.code] } },
    );
  }
  return { owners, candidates, preferences };
}
