import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseRulebook, Rulebook } from './rulebook.schema';

export interface HashedRulebook {
  rulebook: Rulebook;
  /** sha256 of the canonical JSON (keys sorted), so equal content gives an equal hash. */
  hash: string;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashRulebook(rulebook: Rulebook): HashedRulebook {
  return { rulebook, hash: createHash('sha256').update(canonicalJson(rulebook)).digest('hex') };
}

/** Reads and validates every shipped rulebook version (`*.json`) in a folder. */
export function readRulebookDir(dir: string): HashedRulebook[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const source = path.join(dir, file);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(source, 'utf8'));
    } catch (err) {
      throw new Error(`Rulebook ${source} is not valid JSON: ${(err as Error).message}`);
    }
    const rulebook = parseRulebook(json, source);
    if (`${rulebook.id}.json` !== file) throw new Error(`Rulebook ${source}: field id must match the file name (${rulebook.id}.json)`);
    return hashRulebook(rulebook);
  });
}
