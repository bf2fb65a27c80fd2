import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence documents (apps/api/src/documents): a PDF a person attaches when completing a step, kept in
 * Postgres beside its checksum. A document belongs to one owner's step instance and is served only under
 * that path; the evidence record that points at it lives in the step's workflow (a `done` event). The
 * limits of size and file name are the API's (documents/document-rules.ts), not repeated here; the table
 * holds only what must be true of every row. Existing data is untouched.
 */
export class EvidenceDocuments1796284800000 implements MigrationInterface {
  name = 'EvidenceDocuments1796284800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE evidence_document (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_kind text NOT NULL CHECK (owner_kind IN ('municipality', 'region')),
      owner_code text NOT NULL,
      -- The step instance key (volkshuisvestingsprogramma, prestatieafspraken:2027).
      step text NOT NULL,
      filename text NOT NULL CHECK (filename <> ''),
      content_type text NOT NULL CHECK (content_type = 'application/pdf'),
      size integer NOT NULL CHECK (size > 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      content bytea NOT NULL,
      uploaded_by text NOT NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now(),
      CHECK (octet_length(content) = size))`);
    await q.query(`CREATE INDEX evidence_document_owner_step ON evidence_document (owner_kind, owner_code, step, uploaded_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_document`);
  }
}
