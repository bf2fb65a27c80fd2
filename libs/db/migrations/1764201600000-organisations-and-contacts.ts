import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisations (municipality, region, province, stakeholders, VNG) and their contacts, so notifications
 * reach more than the programme manager and the coordinator named at onboarding. A stakeholder
 * organisation receives mail only about the municipalities it is linked to.
 */
export class OrganisationsAndContacts1764201600000 implements MigrationInterface {
  name = 'OrganisationsAndContacts1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE organisation (
      key text PRIMARY KEY CHECK (key ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
      kind text NOT NULL CHECK (kind IN ('municipality', 'region', 'province', 'housing-corporation', 'tenant-organisation', 'care-welfare-organisation', 'vng')),
      name text NOT NULL,
      code text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- Exactly the public bodies stand for a code (GM…, CR…, PV…); the service checks it against the reference tables.
      CONSTRAINT organisation_code_by_kind CHECK ((kind IN ('municipality', 'region', 'province')) = (code IS NOT NULL)),
      CONSTRAINT organisation_kind_code UNIQUE (kind, code))`);
    await q.query(`CREATE TABLE organisation_municipality (
      organisation_key text NOT NULL REFERENCES organisation(key) ON DELETE CASCADE,
      municipality_code varchar(6) NOT NULL REFERENCES municipality(code),
      PRIMARY KEY (organisation_key, municipality_code))`);
    await q.query(`CREATE INDEX organisation_municipality_municipality ON organisation_municipality (municipality_code)`);
    await q.query(`CREATE TABLE contact (
      organisation_key text NOT NULL REFERENCES organisation(key) ON DELETE CASCADE,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('programme-manager', 'alderman', 'regional-coordinator', 'province', 'housing-corporation', 'tenant-organisation', 'care-welfare-organisation')),
      name text,
      language text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
      PRIMARY KEY (organisation_key, email, role))`);
    await q.query(`CREATE INDEX contact_role ON contact (role)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contact`);
    await q.query(`DROP TABLE organisation_municipality`);
    await q.query(`DROP TABLE organisation`);
  }
}
