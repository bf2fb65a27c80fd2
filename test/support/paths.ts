import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const testReferenceDataDir = path.resolve(process.env.REFERENCE_DATA_DIR ?? path.join(repoRoot, '..', 'shared', 'domain'));
export const testRulebookDir = path.join(repoRoot, 'libs', 'rulebook', 'versions');
export const TEMPLATE_DATABASE = 'regie_test_template';
export const temporalTestServerPath = path.join(process.env.REGIE_TOOLS_DIR ?? path.join(repoRoot, '.tools'), 'venv', 'bin', 'temporal-test-server');
